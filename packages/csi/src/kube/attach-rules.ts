import type { PersistentVolume, PersistentVolumeClaim, Pod } from '@kemu/core';
import { csiAccessModeFor } from '../csi/access-modes.js';
import type { VolumeCapability } from '../csi/types.js';

// The attach/detach controller's decisions, as pure functions
// (pkg/controller/volume/attachdetach/reconciler/reconciler.go).

/**
 * Whether a PV may not be attached to a second node (isMultiAttachForbidden): no access modes →
 * allowed (the attacher decides); ReadWriteMany or ReadOnlyMany → allowed; otherwise forbidden.
 */
export function isMultiAttachForbidden(volume: PersistentVolume): boolean {
  const modes = volume.spec.accessModes ?? [];
  if (modes.length === 0) return false;
  return !modes.some((m) => m === 'ReadWriteMany' || m === 'ReadOnlyMany');
}

/**
 * The Multi-Attach event message (reconciler.go reportMultiAttachError): names the pods of the
 * same namespace that use the volume on other nodes, counts pods of other namespaces, or says the
 * volume is exclusively attached elsewhere.
 */
export function multiAttachMessage(pvName: string, podNamespace: string, podsElsewhere: readonly Pod[]): string {
  const prefix = `Multi-Attach error for volume "${pvName}"`;
  const same = podsElsewhere.filter((p) => (p.metadata.namespace ?? 'default') === podNamespace).map((p) => p.metadata.name);
  const others = podsElsewhere.length - same.length;
  if (podsElsewhere.length === 0)
    return `${prefix} Volume is already exclusively attached to one node and can't be attached to another`;
  if (same.length > 0) {
    const more = others > 0 ? ` and ${others} pod(s) in different namespaces` : '';
    return `${prefix} Volume is already used by pod(s) ${same.join(', ')}${more}`;
  }
  return `${prefix} Volume is already used by ${others} pod(s) in different namespaces`;
}

/** Whether a pod still needs its volumes: scheduled and not finished. */
export function podNeedsVolumes(pod: Pod): boolean {
  return Boolean(pod.spec.nodeName) && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

/** The claims a pod mounts, by claim name (same namespace as the pod). */
export function podClaims(pod: Pod): { volumeName: string; claimName: string; readOnly: boolean }[] {
  return (pod.spec.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim
      ? [
          {
            volumeName: v.name,
            claimName: v.persistentVolumeClaim.claimName,
            readOnly: v.persistentVolumeClaim.readOnly === true,
          },
        ]
      : [],
  );
}

/** `namespace/name` of a claim or pod. */
export function namespacedName(object: { metadata: { namespace?: string; name: string } }): string {
  return `${object.metadata.namespace ?? 'default'}/${object.metadata.name}`;
}

/**
 * ReadWriteOncePod (KEP-2485): one pod in the whole cluster may use the claim. The oldest pod keeps
 * it (a pod already using it keeps it); every other pod using it is refused (the scheduler's
 * VolumeRestrictions plugin rejects it before it is ever scheduled).
 */
export function readWriteOncePodOwners(
  pods: readonly Pod[],
  claims: readonly PersistentVolumeClaim[],
  /** Claims already in use by a pod (`namespace/claim` → `namespace/pod`): that pod keeps it while it runs. */
  holders: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const rwop = new Set(claims.filter((c) => c.spec.accessModes?.includes('ReadWriteOncePod')).map(namespacedName));
  const running = new Set(pods.filter(podNeedsVolumes).map(namespacedName));
  const owners = new Map<string, string>();
  for (const [claim, pod] of holders) if (rwop.has(claim) && running.has(pod)) owners.set(claim, pod);
  const ordered = [...pods].sort(
    (a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      namespacedName(a).localeCompare(namespacedName(b)),
  );
  for (const pod of ordered) {
    if (!podNeedsVolumes(pod)) continue;
    for (const { claimName } of podClaims(pod)) {
      const key = `${pod.metadata.namespace ?? 'default'}/${claimName}`;
      if (rwop.has(key) && !owners.has(key)) owners.set(key, namespacedName(pod));
    }
  }
  return owners;
}

/**
 * The VolumeCapability kubelet and the external-attacher send for a CSI PV: block for
 * volumeMode Block, else mount with the PV's fsType; the access mode mapped from the PV's modes
 * (csi_client.go asCSIAccessModeV1).
 */
export function capabilityForVolume(volume: PersistentVolume, singleNodeMultiWriter = false): VolumeCapability {
  const access_mode = { mode: csiAccessModeFor(volume.spec.accessModes, singleNodeMultiWriter) };
  if (volume.spec.volumeMode === 'Block') return { block: {}, access_mode };
  return { mount: { fs_type: volume.spec.csi?.fsType ?? '', mount_flags: volume.spec.mountOptions ?? [] }, access_mode };
}
