import {
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  type Store,
  StoreAlreadyExistsError,
  StoreNotFoundError,
  updateWithRetry,
  type VolumeAttachment,
} from '@kemu/core';
import {
  isMultiAttachForbidden,
  multiAttachMessage,
  namespacedName,
  podClaims,
  podNeedsVolumes,
  readWriteOncePodOwners,
} from './attach-rules.js';
import { uniqueVolumeName, volumeAttachmentName } from './names.js';

/** Options of {@link syncAttachDetach}. */
export interface AttachDetachOptions {
  /** The CSI driver whose PVs this controller attaches. */
  driverName: string;
  /** Force-detach a volume the node still reports in use after this long (default 6 min, maxWaitForUnmountDuration). */
  maxWaitForUnmountMs?: number;
  /** Clock (tests scale the 6 minutes down). */
  now?: () => number;
}

/** One volume a pod needs on a node. */
export interface DesiredAttachment {
  pvName: string;
  volumeHandle: string;
  nodeName: string;
  pods: Pod[];
}

/** What one pass did, and the events Kubernetes would emit. */
export interface AttachDetachReport {
  created: string[];
  deleted: string[];
  /** FailedAttachVolume events: Multi-Attach errors and ReadWriteOncePod refusals, per pod. */
  errors: { pod: string; pvName: string; message: string }[];
}

/** Annotation where kemu keeps when a detach was first wanted but the node still used the volume. */
export const detachRequestedAnnotation = 'csi.kemu.dev/detach-requested-at';

/** The (PV, node) pairs scheduled pods need for this driver's PVs, and the RWOP refusals. */
export function desiredAttachments(
  pods: readonly Pod[],
  claims: readonly PersistentVolumeClaim[],
  volumes: readonly PersistentVolume[],
  driverName: string,
): { desired: Map<string, DesiredAttachment>; refused: AttachDetachReport['errors'] } {
  const claimsByName = new Map(claims.map((c) => [namespacedName(c), c]));
  const volumesByName = new Map(volumes.map((v) => [v.metadata.name, v]));
  const owners = readWriteOncePodOwners(pods, claims);
  const desired = new Map<string, DesiredAttachment>();
  const refused: AttachDetachReport['errors'] = [];
  for (const pod of pods) {
    if (!podNeedsVolumes(pod)) continue;
    for (const { claimName } of podClaims(pod)) {
      const claimKey = `${pod.metadata.namespace ?? 'default'}/${claimName}`;
      const claim = claimsByName.get(claimKey);
      const pv = claim?.spec.volumeName ? volumesByName.get(claim.spec.volumeName) : undefined;
      if (claim?.status?.phase !== 'Bound' || !pv || pv.spec.csi?.driver !== driverName) continue;
      const owner = owners.get(claimKey);
      if (owner && owner !== namespacedName(pod)) {
        refused.push({
          pod: namespacedName(pod),
          pvName: pv.metadata.name,
          message: `PersistentVolumeClaim ${claimKey} has access mode ReadWriteOncePod and is already used by pod ${owner}`,
        });
        continue;
      }
      const key = `${pv.metadata.name}@${pod.spec.nodeName}`;
      const entry = desired.get(key) ?? {
        pvName: pv.metadata.name,
        volumeHandle: pv.spec.csi.volumeHandle,
        nodeName: pod.spec.nodeName!,
        pods: [],
      };
      entry.pods.push(pod);
      desired.set(key, entry);
    }
  }
  return { desired, refused };
}

/**
 * One pass of the attach/detach controller (pkg/controller/volume/attachdetach): creates a
 * VolumeAttachment per volume a scheduled pod needs on its node — named as Kubernetes names it —
 * unless the PV may not be attached to two nodes and one already holds it (the Multi-Attach
 * error); marks for deletion the attachments no pod needs once the node no longer reports the
 * volume in use (or after maxWaitForUnmount, the force detach).
 */
export async function syncAttachDetach(store: Store, options: AttachDetachOptions): Promise<AttachDetachReport> {
  const report: AttachDetachReport = { created: [], deleted: [], errors: [] };
  const now = options.now ?? Date.now;
  const maxWait = options.maxWaitForUnmountMs ?? 6 * 60_000;
  const [{ items: pods }, { items: claims }, { items: volumes }, { items: attachments }, { items: nodes }] = await Promise.all([
    store.list<Pod>('Pod'),
    store.list<PersistentVolumeClaim>('PersistentVolumeClaim'),
    store.list<PersistentVolume>('PersistentVolume'),
    store.list<VolumeAttachment>('VolumeAttachment'),
    store.list<Node>('Node'),
  ]);
  const ours = attachments.filter((a) => a.spec.attacher === options.driverName);
  const { desired, refused } = desiredAttachments(pods, claims, volumes, options.driverName);
  report.errors.push(...refused);
  const volumesByName = new Map(volumes.map((v) => [v.metadata.name, v]));
  const inUse = new Map(nodes.map((n) => [n.metadata.name, new Set(n.status?.volumesInUse ?? [])]));

  // Detach first, so a volume leaving node A frees it for node B in the same pass.
  for (const attachment of ours) {
    const pvName = attachment.spec.source.persistentVolumeName ?? '';
    if (desired.has(`${pvName}@${attachment.spec.nodeName}`) || attachment.metadata.deletionTimestamp) continue;
    const handle = volumesByName.get(pvName)?.spec.csi?.volumeHandle ?? '';
    const stillMounted = inUse.get(attachment.spec.nodeName)?.has(uniqueVolumeName(options.driverName, handle)) ?? false;
    const requested = Number(attachment.metadata.annotations?.[detachRequestedAnnotation] ?? Number.NaN);
    if (stillMounted && !(requested + maxWait <= now())) {
      if (Number.isNaN(requested)) {
        await updateWithRetry<VolumeAttachment>(store, { kind: 'VolumeAttachment', name: attachment.metadata.name }, (va) => {
          va.metadata.annotations = { ...va.metadata.annotations, [detachRequestedAnnotation]: String(now()) };
          return va;
        });
      }
      continue;
    }
    await updateWithRetry<VolumeAttachment>(store, { kind: 'VolumeAttachment', name: attachment.metadata.name }, (va) => {
      va.metadata.deletionTimestamp = new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return va;
    });
    report.deleted.push(attachment.metadata.name);
  }

  const live = (await store.list<VolumeAttachment>('VolumeAttachment')).items.filter(
    (a) => a.spec.attacher === options.driverName,
  );
  for (const want of desired.values()) {
    const name = volumeAttachmentName(want.volumeHandle, options.driverName, want.nodeName);
    if (live.some((a) => a.metadata.name === name)) continue;
    const pv = volumesByName.get(want.pvName)!;
    const elsewhere = live.filter((a) => a.spec.source.persistentVolumeName === want.pvName && a.spec.nodeName !== want.nodeName);
    if (isMultiAttachForbidden(pv) && elsewhere.length > 0) {
      const otherNodes = new Set(elsewhere.map((a) => a.spec.nodeName));
      const podsElsewhere = [...desired.values()]
        .filter((d) => d.pvName === want.pvName && otherNodes.has(d.nodeName))
        .flatMap((d) => d.pods);
      for (const pod of want.pods) {
        report.errors.push({
          pod: namespacedName(pod),
          pvName: want.pvName,
          message: multiAttachMessage(want.pvName, pod.metadata.namespace ?? 'default', podsElsewhere),
        });
      }
      continue;
    }
    const attachment: VolumeAttachment = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'VolumeAttachment',
      metadata: { name },
      spec: { attacher: options.driverName, nodeName: want.nodeName, source: { persistentVolumeName: want.pvName } },
      status: { attached: false },
    };
    try {
      live.push(await store.create(attachment));
      report.created.push(name);
    } catch (error) {
      if (!(error instanceof StoreAlreadyExistsError)) throw error;
    }
  }
  return report;
}

/** Removes an object, ignoring one that is already gone. */
export async function deleteIfPresent(store: Store, key: { kind: string; name: string; namespace?: string }): Promise<void> {
  await store.delete(key).catch((error: unknown) => {
    if (!(error instanceof StoreNotFoundError)) throw error;
  });
}
