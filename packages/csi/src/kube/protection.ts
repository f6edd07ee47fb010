import {
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  type StorageClass,
  type Store,
  StoreNotFoundError,
  updateWithRetry,
} from '@kemu/core';
import { podClaims, podNeedsVolumes } from './attach-rules.js';
import { storageAnnotations } from './names.js';

// Storage object in use protection (pkg/controller/volume/pvcprotection, pvprotection): a claim
// used by a pod, or a bound PV, is only marked for deletion; it goes once nothing uses it.

/** Pods (not finished) that use a claim. */
export async function podsUsingClaim(store: Store, namespace: string, claimName: string): Promise<Pod[]> {
  const { items } = await store.list<Pod>('Pod', { namespace });
  return items.filter(
    (pod) =>
      (pod.status?.phase ?? 'Pending') !== 'Succeeded' &&
      pod.status?.phase !== 'Failed' &&
      podClaims(pod).some((c) => c.claimName === claimName),
  );
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Deletes a claim the way the API server does with the pvc-protection finalizer: removed at once
 * when no pod uses it, else marked (deletionTimestamp) and removed by {@link syncStorageProtection}.
 * Returns whether it is gone.
 */
export async function deleteClaim(store: Store, namespace: string, name: string): Promise<boolean> {
  const key = { kind: 'PersistentVolumeClaim', namespace, name };
  if ((await podsUsingClaim(store, namespace, name)).length === 0) {
    await store.delete(key).catch((e: unknown) => {
      if (!(e instanceof StoreNotFoundError)) throw e;
    });
    return true;
  }
  await updateWithRetry<PersistentVolumeClaim>(store, key, (claim) => {
    if (claim.metadata.deletionTimestamp) return undefined;
    claim.metadata.deletionTimestamp = now();
    return claim;
  });
  return false;
}

/** Deletes a PV the way pv-protection does: a bound PV is only marked until its claim lets go. */
export async function deletePersistentVolume(store: Store, name: string): Promise<boolean> {
  const key = { kind: 'PersistentVolume', name };
  const volume = await store.get<PersistentVolume>(key);
  if (!volume) return true;
  if (volume.status?.phase !== 'Bound') {
    await store.delete(key);
    return true;
  }
  await updateWithRetry<PersistentVolume>(store, key, (pv) => {
    if (pv.metadata.deletionTimestamp) return undefined;
    pv.metadata.deletionTimestamp = now();
    return pv;
  });
  return false;
}

/** Removes marked claims no pod uses any more and marked PVs that are no longer bound. */
export async function syncStorageProtection(store: Store): Promise<{ claims: string[]; volumes: string[] }> {
  const done = { claims: [] as string[], volumes: [] as string[] };
  const { items: claims } = await store.list<PersistentVolumeClaim>('PersistentVolumeClaim');
  for (const claim of claims) {
    if (!claim.metadata.deletionTimestamp) continue;
    const namespace = claim.metadata.namespace ?? 'default';
    const { items: pods } = await store.list<Pod>('Pod', { namespace });
    if (pods.some((p) => podNeedsVolumes(p) && podClaims(p).some((c) => c.claimName === claim.metadata.name))) continue;
    await store.delete({ kind: 'PersistentVolumeClaim', namespace, name: claim.metadata.name }).catch(() => undefined);
    done.claims.push(`${namespace}/${claim.metadata.name}`);
  }
  const { items: volumes } = await store.list<PersistentVolume>('PersistentVolume');
  for (const volume of volumes) {
    if (!volume.metadata.deletionTimestamp || volume.status?.phase === 'Bound') continue;
    await store.delete({ kind: 'PersistentVolume', name: volume.metadata.name }).catch(() => undefined);
    done.volumes.push(volume.metadata.name);
  }
  return done;
}

/**
 * The scheduler's VolumeBinding step for a pod placed on a node: every unbound WaitForFirstConsumer
 * claim of the pod gets `volume.kubernetes.io/selected-node`, which lets the PV controller bind a
 * static PV reachable from that node or the provisioner create one in its topology.
 */
export async function selectNodeForPodClaims(store: Store, pod: Pod): Promise<string[]> {
  const node = pod.spec.nodeName;
  if (!node) return [];
  const namespace = pod.metadata.namespace ?? 'default';
  const selected: string[] = [];
  for (const { claimName } of podClaims(pod)) {
    const key = { kind: 'PersistentVolumeClaim', namespace, name: claimName };
    const claim = await store.get<PersistentVolumeClaim>(key);
    if (!claim || claim.status?.phase === 'Bound' || claim.metadata.annotations?.[storageAnnotations.selectedNode]) continue;
    const className = claim.spec.storageClassName;
    const storageClass = className ? await store.get<StorageClass>({ kind: 'StorageClass', name: className }) : undefined;
    if (storageClass?.volumeBindingMode !== 'WaitForFirstConsumer') continue;
    await updateWithRetry<PersistentVolumeClaim>(store, key, (c) => {
      c.metadata.annotations = { ...c.metadata.annotations, [storageAnnotations.selectedNode]: node };
      return c;
    });
    selected.push(`${namespace}/${claimName}`);
  }
  return selected;
}
