import { createHash } from 'node:crypto';
import type { PersistentVolumeClaim } from '@kemu/core';

// Names, annotations and finalizers exactly as Kubernetes spells them.

/** Annotations and finalizers of the PV controller, provisioner, scheduler and attacher. */
export const storageAnnotations = {
  /** PVC: binding finished (pkg/controller/volume/persistentvolume pv_controller.go annBindCompleted). */
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  /** PV/PVC: the controller (not the user) made the binding (annBoundByController). */
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  /** PV: which provisioner made it (annDynamicallyProvisioned). */
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
  /** PVC: provisioner asked to provision it (annStorageProvisioner). */
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  /** PVC: node the scheduler picked for WaitForFirstConsumer (annSelectedNode). */
  selectedNode: 'volume.kubernetes.io/selected-node',
  /** StorageClass: the default class. */
  defaultClass: 'storageclass.kubernetes.io/is-default-class',
} as const;

/** Finalizers of the storage controllers. */
export const storageFinalizers = {
  pvcProtection: 'kubernetes.io/pvc-protection',
  pvProtection: 'kubernetes.io/pv-protection',
  provisioner: 'external-provisioner.volume.kubernetes.io/finalizer',
} as const;

/**
 * The VolumeAttachment name Kubernetes gives (pkg/volume/csi/csi_attacher.go getAttachmentName,
 * called with the PV's volumeHandle, the driver and the node): `csi-<hex sha256(handle+driver+node)>`.
 */
export function volumeAttachmentName(volumeHandle: string, driverName: string, nodeName: string): string {
  return `csi-${createHash('sha256').update(`${volumeHandle}${driverName}${nodeName}`).digest('hex')}`;
}

/** The external-attacher's finalizer: `external-attacher/<driver with dots as dashes>`. */
export function attacherFinalizer(driverName: string): string {
  return `external-attacher/${driverName.replaceAll('.', '-')}`;
}

/** The name of a dynamically provisioned PV: `pvc-<claim UID>` (external-provisioner). */
export function provisionedVolumeName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata.uid ?? claim.metadata.name}`;
}

/** `kubernetes.io/csi/<driver>^<volumeHandle>`: how a node's volumesInUse names a CSI volume. */
export function uniqueVolumeName(driverName: string, volumeHandle: string): string {
  return `kubernetes.io/csi/${driverName}^${volumeHandle}`;
}

/** Kubelet's staging path: `<root>/plugins/kubernetes.io/csi/<driver>/<sha256(handle)>/globalmount`. */
export function stagingPath(kubeletDir: string, driverName: string, volumeHandle: string): string {
  const digest = createHash('sha256').update(volumeHandle).digest('hex');
  return `${kubeletDir}/plugins/kubernetes.io/csi/${driverName}/${digest}/globalmount`;
}

/** Kubelet's publish path: `<root>/pods/<podUID>/volumes/kubernetes.io~csi/<pvName>/mount`. */
export function publishPath(kubeletDir: string, podUid: string, pvName: string): string {
  return `${kubeletDir}/pods/${podUid}/volumes/kubernetes.io~csi/${pvName}/mount`;
}
