import { rpcError } from '../errors.js';
import { accessModeName } from './access-modes.js';
import type { AccessModeName, VolumeCapability } from './types.js';

/** A checked capability: one access type, one known mode, and the mount details that matter. */
export interface NormalizedCapability {
  accessType: 'block' | 'mount';
  mode: AccessModeName;
  fsType: string;
  mountFlags: string[];
  volumeMountGroup: string;
}

/**
 * Checks one VolumeCapability. Missing access type or mode, or mode UNKNOWN, is INVALID_ARGUMENT
 * (spec: access_mode is REQUIRED and one access_type must be set; kemu reads the oneof strictly
 * where csi-driver-host-path would default to mount).
 */
export function normalizeCapability(capability: VolumeCapability | null | undefined, field: string): NormalizedCapability {
  if (!capability) throw rpcError.invalidArgument(`${field} is required`);
  const accessType = capability.access_type ?? (capability.block ? 'block' : capability.mount ? 'mount' : undefined);
  if (!accessType) throw rpcError.invalidArgument(`${field}: one access type (block or mount) is required`);
  const mode = accessModeName(capability.access_mode?.mode);
  if (!capability.access_mode || !mode || mode === 'UNKNOWN') {
    throw rpcError.invalidArgument(`${field}: access_mode.mode is required and must not be UNKNOWN`);
  }
  const mount = accessType === 'mount' ? (capability.mount ?? {}) : {};
  return {
    accessType,
    mode,
    fsType: mount.fs_type ?? '',
    mountFlags: [...(mount.mount_flags ?? [])],
    volumeMountGroup: mount.volume_mount_group ?? '',
  };
}

/** Checks a REQUIRED repeated capability list (at least one element) that must agree on block vs mount. */
export function normalizeCapabilities(list: VolumeCapability[] | undefined, field: string): NormalizedCapability[] {
  if (!list || list.length === 0) throw rpcError.invalidArgument(`${field} is required (at least one capability)`);
  const normalized = list.map((c, i) => normalizeCapability(c, `${field}[${i}]`));
  const types = new Set(normalized.map((c) => c.accessType));
  if (types.size > 1) {
    // A directory cannot also be a block device; csi-driver-host-path answers the same.
    throw rpcError.invalidArgument(`${field} mixes block and mount access types; a volume is one or the other`);
  }
  return normalized;
}

/** Stable text form of a capability, to compare a repeat call with the first one. */
export function capabilityKey(capability: NormalizedCapability): string {
  return JSON.stringify([
    capability.accessType,
    capability.mode,
    capability.fsType,
    capability.mountFlags,
    capability.volumeMountGroup,
  ]);
}

/** Back to the wire shape (for ValidateVolumeCapabilities' confirmed list). */
export function toWireCapability(capability: NormalizedCapability): VolumeCapability {
  const access_mode = { mode: capability.mode };
  if (capability.accessType === 'block') return { block: {}, access_mode };
  return {
    mount: { fs_type: capability.fsType, mount_flags: capability.mountFlags, volume_mount_group: capability.volumeMountGroup },
    access_mode,
  };
}
