// Wiring: the emulators plugged into the lab's seams (VolumeProvider, LabAddon…).

export { createPodNetwork, type LabPodNetwork, type PodNetworkOptions } from './cni.js';
export { createCniAllocator } from './cni-ipam.js';
export { type CsiVolumes, type CsiVolumesOptions, createCsiVolumes } from './csi.js';
export { CsiCluster, type CsiClusterOptions } from './csi-cluster.js';
export {
  PodNetworkAddressError,
  VolumeMountTimeoutError,
  VolumeNodeError,
  VolumesClosedError,
  VolumeUnmountTimeoutError,
  type WiringErrorCode,
  wiringErrorCodes,
} from './errors.js';
export { type FullLab, type FullLabOptions, startFullLab } from './full-lab.js';
export { createIngress, type IngressOptions, type LabIngress } from './ingress.js';
export { PodTeardownView, podId } from './pod-view.js';
export { StoreReconciler, type StoreReconcilerOptions } from './reconciler.js';
export { csiRelevance } from './relevance.js';
export { createServiceProxy, type ServiceProxy, type ServiceProxyOptions } from './service-proxy.js';
