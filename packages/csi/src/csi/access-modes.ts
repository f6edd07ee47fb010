import type { PersistentVolumeAccessMode } from '@kemu/core';
import type { AccessModeName } from './types.js';

/** Numbers of VolumeCapability.AccessMode.Mode (csi.proto v1.12.0). */
export const accessModeNumbers: Readonly<Record<AccessModeName, number>> = {
  UNKNOWN: 0,
  SINGLE_NODE_WRITER: 1,
  SINGLE_NODE_READER_ONLY: 2,
  MULTI_NODE_READER_ONLY: 3,
  MULTI_NODE_SINGLE_WRITER: 4,
  MULTI_NODE_MULTI_WRITER: 5,
  SINGLE_NODE_SINGLE_WRITER: 6,
  SINGLE_NODE_MULTI_WRITER: 7,
};

const byNumber = new Map(Object.entries(accessModeNumbers).map(([name, n]) => [n, name as AccessModeName]));

/** The mode's name whether the wire gave a name or a number; undefined for anything else. */
export function accessModeName(mode: AccessModeName | number | undefined | null): AccessModeName | undefined {
  if (typeof mode === 'number') return byNumber.get(mode);
  if (typeof mode === 'string' && mode in accessModeNumbers) return mode;
  return undefined;
}

/** MULTI_NODE_*: the volume may be published to several nodes at once (spec ControllerPublishVolume). */
export function isMultiNode(mode: AccessModeName): boolean {
  return mode.startsWith('MULTI_NODE_');
}

/** *_READER_ONLY: every publish is read-only. */
export function isReaderOnly(mode: AccessModeName): boolean {
  return mode.endsWith('_READER_ONLY');
}

/**
 * Whether a second NodePublish of the volume at another target path on the same node is legal:
 * MULTI_NODE_* and SINGLE_NODE_MULTI_WRITER yes, the other single-node modes no (spec
 * NodePublishVolume, the "T differs" columns of its table).
 */
export function allowsSeveralTargetsPerNode(mode: AccessModeName): boolean {
  return isMultiNode(mode) || mode === 'SINGLE_NODE_MULTI_WRITER';
}

/**
 * The CSI mode kubelet and the attacher send for a PV's access modes (kubernetes
 * pkg/volume/csi/csi_client.go `asCSIAccessModeV1` / `asSingleNodeMultiWriterCapableCSIAccessModeV1`):
 * the first mode of the PV decides; drivers with SINGLE_NODE_MULTI_WRITER get the finer modes.
 */
export function csiAccessModeFor(
  modes: readonly PersistentVolumeAccessMode[] | undefined,
  singleNodeMultiWriter: boolean,
): AccessModeName {
  switch (modes?.[0]) {
    case 'ReadWriteOnce':
      return singleNodeMultiWriter ? 'SINGLE_NODE_MULTI_WRITER' : 'SINGLE_NODE_WRITER';
    case 'ReadOnlyMany':
      return 'MULTI_NODE_READER_ONLY';
    case 'ReadWriteMany':
      return 'MULTI_NODE_MULTI_WRITER';
    case 'ReadWriteOncePod':
      return singleNodeMultiWriter ? 'SINGLE_NODE_SINGLE_WRITER' : 'SINGLE_NODE_WRITER';
    default:
      return 'UNKNOWN';
  }
}
