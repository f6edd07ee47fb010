import {
  formatBinaryQuantity,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
  type Store,
  StoreConflictError,
  StoreNotFoundError,
  updateWithRetry,
} from '@kemu/core';
import { nodeTopologyKey } from '../csi/topology.js';
import type { CsiControllerApi } from '../csi/types.js';
import { ProvisioningError } from '../errors.js';
import { capabilityForVolume, namespacedName } from './attach-rules.js';
import { claimClassName, defaultStorageClass, findMatchingVolume, isVolumeBoundToClaim, requestedBytes } from './binding.js';
import { provisionedVolumeName, storageAnnotations, storageFinalizers } from './names.js';

/** Options of {@link syncPersistentVolumes}. */
export interface PersistentVolumeControllerOptions {
  /** The CSI driver name this provisioner serves (StorageClass.provisioner). */
  driverName: string;
  /** CreateVolume/DeleteVolume, in-process or over the socket; without it nothing is provisioned. */
  provisioner?: CsiControllerApi;
  /** Topology segments of a node for WaitForFirstConsumer (default: the kemu node segment and labels). */
  topologyOf?: (nodeName: string) => Record<string, string>;
}

/** What one pass did. */
export interface PersistentVolumeSyncReport {
  bound: string[];
  provisioned: string[];
  released: string[];
  deleted: string[];
  /** Claims left Pending, with the reason (the ProvisioningFailed / WaitForFirstConsumer events). */
  pending: { claim: string; reason: string }[];
}

const claimKey = (c: PersistentVolumeClaim) => ({
  kind: 'PersistentVolumeClaim',
  namespace: c.metadata.namespace ?? 'default',
  name: c.metadata.name,
});

/** Binds a claim and a PV both ways (pv_controller.go bindVolumeToClaim + bindClaimToVolume). */
async function bind(store: Store, claim: PersistentVolumeClaim, volume: PersistentVolume, byController: boolean): Promise<void> {
  await updateWithRetry<PersistentVolume>(store, { kind: 'PersistentVolume', name: volume.metadata.name }, (pv) => {
    pv.spec.claimRef = {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      namespace: claim.metadata.namespace ?? 'default',
      name: claim.metadata.name,
      ...(claim.metadata.uid ? { uid: claim.metadata.uid } : {}),
    };
    if (byController) pv.metadata.annotations = { ...pv.metadata.annotations, [storageAnnotations.boundByController]: 'yes' };
    pv.metadata.finalizers = [...new Set([...(pv.metadata.finalizers ?? []), storageFinalizers.pvProtection])];
    pv.status = { ...pv.status, phase: 'Bound' };
    return pv;
  });
  await updateWithRetry<PersistentVolumeClaim>(store, claimKey(claim), (pvc) => {
    pvc.spec.volumeName = volume.metadata.name;
    pvc.metadata.annotations = {
      ...pvc.metadata.annotations,
      [storageAnnotations.bindCompleted]: 'yes',
      ...(byController ? { [storageAnnotations.boundByController]: 'yes' } : {}),
    };
    pvc.metadata.finalizers = [...new Set([...(pvc.metadata.finalizers ?? []), storageFinalizers.pvcProtection])];
    pvc.status = {
      phase: 'Bound',
      accessModes: volume.spec.accessModes ?? [],
      capacity: { storage: volume.spec.capacity?.storage ?? '0' },
    };
    return pvc;
  });
}

/** PV node affinity from CreateVolume's accessible_topology (external-provisioner GenerateVolumeNodeAffinity). */
function nodeAffinityFrom(topologies: { segments?: Record<string, string> }[]): PersistentVolume['spec']['nodeAffinity'] {
  const terms = topologies
    .filter((t) => Object.keys(t.segments ?? {}).length > 0)
    .map((t) => ({
      matchExpressions: Object.entries(t.segments ?? {}).map(([key, value]) => ({
        key,
        operator: 'In' as const,
        values: [value],
      })),
    }));
  return terms.length > 0 ? { required: { nodeSelectorTerms: terms } } : undefined;
}

/**
 * Dynamic provisioning for one claim (external-provisioner): CreateVolume named `pvc-<uid>` with the
 * class parameters, the claim's size and modes, and, for WaitForFirstConsumer, the selected node's
 * topology as requisite and preferred; then a PV bound to the claim.
 */
async function provision(
  store: Store,
  claim: PersistentVolumeClaim,
  storageClass: StorageClass,
  options: PersistentVolumeControllerOptions,
  provisioner: CsiControllerApi,
): Promise<PersistentVolume> {
  const name = provisionedVolumeName(claim);
  const selectedNode = claim.metadata.annotations?.[storageAnnotations.selectedNode];
  const topology = selectedNode ? (options.topologyOf?.(selectedNode) ?? { [nodeTopologyKey]: selectedNode }) : undefined;
  const draft: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: { accessModes: claim.spec.accessModes ?? [], volumeMode: claim.spec.volumeMode ?? 'Filesystem' },
  };
  let volume: Awaited<ReturnType<CsiControllerApi['createVolume']>>['volume'];
  try {
    ({ volume } = await provisioner.createVolume({
      name,
      capacity_range: { required_bytes: String(requestedBytes(claim)) },
      volume_capabilities: [capabilityForVolume(draft)],
      parameters: { ...(storageClass.parameters ?? {}) },
      ...(topology
        ? { accessibility_requirements: { requisite: [{ segments: topology }], preferred: [{ segments: topology }] } }
        : {}),
    }));
  } catch (error) {
    const message = (error as { details?: string; message?: string }).details ?? (error as Error).message;
    throw new ProvisioningError(namespacedName(claim), message, { cause: error });
  }
  const nodeAffinity = nodeAffinityFrom(volume.accessible_topology ?? []);
  const pv: PersistentVolume = {
    ...draft,
    metadata: {
      name,
      annotations: { [storageAnnotations.provisionedBy]: options.driverName },
      finalizers: [storageFinalizers.pvProtection, storageFinalizers.provisioner],
    },
    spec: {
      ...draft.spec,
      capacity: { storage: formatBinaryQuantity(BigInt(volume.capacity_bytes)) },
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
      storageClassName: storageClass.metadata.name,
      ...(storageClass.mountOptions ? { mountOptions: storageClass.mountOptions } : {}),
      csi: { driver: options.driverName, volumeHandle: volume.volume_id, volumeAttributes: { ...volume.volume_context } },
      ...(nodeAffinity ? { nodeAffinity } : {}),
    },
    status: { phase: 'Pending' },
  };
  const existing = await store.get<PersistentVolume>({ kind: 'PersistentVolume', name });
  return existing ?? store.create(pv);
}

/** Phase bookkeeping of PVs whose claim is gone, and the reclaim policy (pv_controller.go reclaimVolume). */
async function reclaim(
  store: Store,
  claims: Map<string, PersistentVolumeClaim>,
  options: PersistentVolumeControllerOptions,
  report: PersistentVolumeSyncReport,
) {
  const { items: volumes } = await store.list<PersistentVolume>('PersistentVolume');
  for (const volume of volumes) {
    const ref = volume.spec.claimRef;
    if (!ref?.name) continue;
    const claim = claims.get(`${ref.namespace ?? 'default'}/${ref.name}`);
    const gone = !claim || (ref.uid !== undefined && claim.metadata.uid !== ref.uid);
    if (!gone) continue;
    let current = volume;
    if (volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') {
      current = await updateWithRetry<PersistentVolume>(store, { kind: 'PersistentVolume', name: volume.metadata.name }, (pv) => {
        pv.status = { ...pv.status, phase: 'Released' };
        return pv;
      });
      report.released.push(volume.metadata.name);
    }
    const ours =
      current.spec.csi?.driver === options.driverName &&
      current.metadata.annotations?.[storageAnnotations.provisionedBy] === options.driverName;
    if ((current.spec.persistentVolumeReclaimPolicy ?? 'Retain') !== 'Delete' || !ours || !options.provisioner) continue;
    try {
      await options.provisioner.deleteVolume({ volume_id: current.spec.csi!.volumeHandle });
    } catch (error) {
      const message = (error as { details?: string }).details ?? (error as Error).message;
      await updateWithRetry<PersistentVolume>(store, { kind: 'PersistentVolume', name: current.metadata.name }, (pv) => {
        pv.status = { ...pv.status, phase: 'Released', message: `DeleteVolume failed: ${message}` };
        return pv;
      });
      continue;
    }
    await store.delete({ kind: 'PersistentVolume', name: current.metadata.name }).catch((e: unknown) => {
      if (!(e instanceof StoreNotFoundError)) throw e;
    });
    report.deleted.push(current.metadata.name);
  }
}

/**
 * One pass of the PV controller and the external-provisioner: binds every pending claim to the
 * smallest fitting PV (or its pre-bound one), provisions from the claim's StorageClass when none
 * fits — at once for Immediate, after the scheduler picked a node for WaitForFirstConsumer — marks
 * PVs of deleted claims Released and applies their reclaim policy.
 */
export async function syncPersistentVolumes(
  store: Store,
  options: PersistentVolumeControllerOptions,
): Promise<PersistentVolumeSyncReport> {
  const report: PersistentVolumeSyncReport = { bound: [], provisioned: [], released: [], deleted: [], pending: [] };
  const { items: claims } = await store.list<PersistentVolumeClaim>('PersistentVolumeClaim');
  const { items: classes } = await store.list<StorageClass>('StorageClass');
  const byName = new Map(claims.map((c) => [namespacedName(c), c]));
  for (const claim of claims) {
    if (claim.metadata.deletionTimestamp) continue;
    const key = namespacedName(claim);
    const { items: volumes } = await store.list<PersistentVolume>('PersistentVolume');
    if (claim.status?.phase === 'Bound' && claim.spec.volumeName) {
      const bound = volumes.find((v) => v.metadata.name === claim.spec.volumeName);
      if (!bound || !isVolumeBoundToClaim(bound, claim)) {
        // pv_controller.go syncBoundClaim: the PV vanished or belongs elsewhere → Lost
        await updateWithRetry<PersistentVolumeClaim>(store, claimKey(claim), (c) => ({
          ...c,
          status: { ...c.status, phase: 'Lost' },
        }));
      }
      continue;
    }
    if (claim.status?.phase === 'Lost') continue;
    // DefaultStorageClass admission: a claim with no class at all gets the default (retroactively since 1.28)
    let effective = claim;
    if (claim.spec.storageClassName === undefined || claim.spec.storageClassName === null) {
      const fallback = defaultStorageClass(classes);
      if (fallback) {
        effective = await updateWithRetry<PersistentVolumeClaim>(store, claimKey(claim), (c) => {
          if (c.spec.storageClassName !== undefined && c.spec.storageClassName !== null) return undefined;
          c.spec.storageClassName = fallback.metadata.name;
          return c;
        });
      }
    }
    const storageClass = classes.find((c) => c.metadata.name === claimClassName(effective));
    const delayBinding = storageClass?.volumeBindingMode === 'WaitForFirstConsumer';
    const selectedNode = effective.metadata.annotations?.[storageAnnotations.selectedNode];
    let candidates = volumes;
    if (effective.spec.volumeName) candidates = volumes.filter((v) => v.metadata.name === effective.spec.volumeName);
    const match = findMatchingVolume(effective, candidates, selectedNode ? { node: selectedNode } : { delayBinding });
    if (match) {
      try {
        await bind(store, effective, match, !effective.spec.volumeName);
        report.bound.push(`${key}=${match.metadata.name}`);
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
        report.pending.push({ claim: key, reason: 'binding conflicted; retried on the next pass' });
      }
      continue;
    }
    if (effective.spec.volumeName) {
      report.pending.push({ claim: key, reason: `volume "${effective.spec.volumeName}" is not available for this claim` });
      continue;
    }
    if (!storageClass || storageClass.provisioner !== options.driverName || !options.provisioner) {
      report.pending.push({
        claim: key,
        reason: storageClass
          ? `waiting for provisioner ${storageClass.provisioner}`
          : 'no persistent volumes available for this claim and no storage class is set',
      });
      continue;
    }
    if (effective.spec.selector) {
      report.pending.push({ claim: key, reason: 'claim has a selector and cannot be dynamically provisioned' });
      continue;
    }
    if (delayBinding && !selectedNode) {
      report.pending.push({ claim: key, reason: 'waiting for first consumer to be created before binding' });
      continue;
    }
    try {
      const pv = await provision(store, effective, storageClass, options, options.provisioner);
      await bind(store, effective, pv, true);
      report.provisioned.push(`${key}=${pv.metadata.name}`);
    } catch (error) {
      if (!(error instanceof ProvisioningError)) throw error;
      report.pending.push({ claim: key, reason: error.message });
    }
  }
  await reclaim(store, byName, options, report);
  return report;
}
