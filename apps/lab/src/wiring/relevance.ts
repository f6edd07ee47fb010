import type { KubernetesObject, Node, Pod, WatchEventType } from '@kemu/core';
import { podClaims } from '@kemu/csi';

/** Kinds every change of which can move a volume along. */
const storageKinds = new Set(['PersistentVolumeClaim', 'PersistentVolume', 'VolumeAttachment', 'StorageClass', 'CSINode']);

/**
 * Which store changes matter to the CSI controllers, so a lab full of pods without claims (and
 * nodes renewing their status) costs no passes: storage objects always; pods only when they mount
 * a claim; nodes when they come, go, or change `status.volumesInUse` (what detach waits for).
 */
export function csiRelevance(): (type: WatchEventType, object: KubernetesObject) => boolean {
  const inUse = new Map<string, string>();
  return (type, object) => {
    if (storageKinds.has(object.kind)) return true;
    if (object.kind === 'Pod') return podClaims(object as Pod).length > 0;
    if (object.kind !== 'Node') return false;
    const name = object.metadata.name;
    if (type === 'DELETED') {
      inUse.delete(name);
      return true;
    }
    const volumes = JSON.stringify((object as Node).status?.volumesInUse ?? []);
    if (inUse.get(name) === volumes) return false;
    inUse.set(name, volumes);
    return true;
  };
}
