import {
  labelSelector,
  type Node,
  type NodeSelectorTerm,
  type PersistentVolume,
  type PersistentVolumeAccessMode,
  type PersistentVolumeClaim,
  parseQuantity,
  type StorageClass,
} from '@kemu/core';
import { nodeTopologyKey } from '../csi/topology.js';
import { storageAnnotations } from './names.js';

// PV ↔ PVC matching as the PV controller and the scheduler do it
// (k8s.io/component-helpers/storage/volume pv_helpers.go FindMatchingVolume, and
// pkg/controller/volume/persistentvolume/index.go findByClaim).

/** Bytes a claim requests (0 when it names none). */
export function requestedBytes(claim: PersistentVolumeClaim): bigint {
  return parseQuantity(claim.spec.resources?.requests?.storage ?? '0') ?? 0n;
}

/** Bytes a PV offers. */
export function capacityBytes(volume: PersistentVolume): bigint {
  return parseQuantity(volume.spec.capacity?.storage ?? '0') ?? 0n;
}

/** The claim's class name as the API stores it: "" for none (GetPersistentVolumeClaimClass). */
export function claimClassName(claim: PersistentVolumeClaim): string {
  return claim.spec.storageClassName ?? claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

/**
 * The default StorageClass (annotation `storageclass.kubernetes.io/is-default-class: "true"`), as
 * the DefaultStorageClass admission plugin picks it for a claim with no class; with several
 * defaults the newest wins (Kubernetes ≥ 1.26 behaviour).
 */
export function defaultStorageClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.[storageAnnotations.defaultClass] === 'true');
  return defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))[0];
}

/** Whether the PV's claimRef names this claim (IsVolumeBoundToClaim). */
export function isVolumeBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || (ref.namespace ?? '') !== (claim.metadata.namespace ?? 'default')) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** Whether the PV offers every access mode the claim asks for (CheckAccessModes). */
export function checkAccessModes(claim: PersistentVolumeClaim, volume: PersistentVolume): boolean {
  const offered = new Set(volume.spec.accessModes ?? []);
  return (claim.spec.accessModes ?? []).every((mode) => offered.has(mode));
}

function termMatches(term: NodeSelectorTerm, labels: Record<string, string>): boolean {
  return (term.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'Gt':
        return value !== undefined && Number(value) > Number(e.values?.[0]);
      case 'Lt':
        return value !== undefined && Number(value) < Number(e.values?.[0]);
    }
    return false;
  });
}

/**
 * A node's labels for volume topology: its own labels, `kubernetes.io/hostname`, and the kemu CSI
 * node segment (which kubelet adds from NodeGetInfo when the driver registers).
 */
export function nodeTopologyLabels(node: Node | string): Record<string, string> {
  const name = typeof node === 'string' ? node : node.metadata.name;
  const labels = typeof node === 'string' ? {} : (node.metadata.labels ?? {});
  return { 'kubernetes.io/hostname': name, [nodeTopologyKey]: name, ...labels };
}

/** Whether the PV's node affinity admits the node (CheckNodeAffinity: terms are ORed). */
export function nodeAffinityAllows(volume: PersistentVolume, node: Node | string): boolean {
  const terms = volume.spec.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  const labels = nodeTopologyLabels(node);
  return terms.some((term) => termMatches(term, labels));
}

/** Options of {@link findMatchingVolume}. */
export interface MatchOptions {
  /** Scheduler path: the node the pod goes to (checks node affinity and access modes). */
  node?: Node | string;
  /** PV controller path for a WaitForFirstConsumer class: only pre-bound PVs match. */
  delayBinding?: boolean;
  /** PVs already chosen for other claims of the same pod. */
  excluded?: ReadonlySet<string>;
}

/** FindMatchingVolume over one list: the PV bound to the claim, else the smallest that fits. */
function matchIn(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  options: MatchOptions,
): PersistentVolume | undefined {
  const requested = requestedBytes(claim);
  const requestedClass = claimClassName(claim);
  const selector = claim.spec.selector ? labelSelector(claim.spec.selector) : undefined;
  let smallest: PersistentVolume | undefined;
  for (const volume of volumes) {
    if (options.excluded?.has(volume.metadata.name)) continue;
    const size = capacityBytes(volume);
    if (size < requested) continue;
    if ((claim.spec.volumeMode ?? 'Filesystem') !== (volume.spec.volumeMode ?? 'Filesystem')) continue;
    if (volume.metadata.deletionTimestamp) continue;
    const affinityValid = options.node === undefined || nodeAffinityAllows(volume, options.node);
    if (isVolumeBoundToClaim(volume, claim)) return affinityValid ? volume : undefined;
    if (options.node === undefined && options.delayBinding) continue;
    if ((volume.status?.phase ?? 'Available') !== 'Available') continue;
    if (volume.spec.claimRef) continue;
    if (selector && !selector.matches(volume.metadata.labels ?? {})) continue;
    if ((volume.spec.storageClassName ?? '') !== requestedClass) continue;
    if (!affinityValid) continue;
    if (options.node !== undefined && !checkAccessModes(claim, volume)) continue;
    if (!smallest || capacityBytes(smallest) > size) smallest = volume;
  }
  return smallest;
}

/**
 * The PV a claim binds to: PVs are tried in groups by access-mode set, smallest superset of the
 * claim's modes first (index.go allPossibleMatchingAccessModes), and within a group the PV
 * pre-bound to the claim, else the smallest that fits (FindMatchingVolume).
 */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  options: MatchOptions = {},
): PersistentVolume | undefined {
  const wanted = claim.spec.accessModes ?? [];
  const groups = new Map<string, PersistentVolume[]>();
  for (const volume of volumes) {
    const modes = [...new Set(volume.spec.accessModes ?? [])].sort() as PersistentVolumeAccessMode[];
    if (!wanted.every((m) => modes.includes(m))) continue;
    const key = modes.join(',');
    groups.set(key, [...(groups.get(key) ?? []), volume]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => a.split(',').length - b.split(',').length);
  for (const [, group] of ordered) {
    const match = matchIn(claim, group, options);
    if (match) return match;
  }
  return undefined;
}
