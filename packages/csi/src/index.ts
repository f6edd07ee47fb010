// @kemu/csi — the model: CSI rules (access modes, capabilities, capacity, topology, names) and the
// Kubernetes volume flow (PV controller binding, provisioning, attach/detach, kubelet volume
// manager) as async functions over a @kemu/core Store. Nothing here opens a socket or a file; the
// driver itself is the subpath export `@kemu/csi/server`.

// CSI rules
export {
  accessModeName,
  accessModeNumbers,
  allowsSeveralTargetsPerNode,
  csiAccessModeFor,
  isMultiNode,
  isReaderOnly,
} from './csi/access-modes.js';
export {
  capabilityKey,
  type NormalizedCapability,
  normalizeCapabilities,
  normalizeCapability,
  toWireCapability,
} from './csi/capability.js';
export { type CapacityLimits, capacityFits, resolveCapacity } from './csi/capacity.js';
export { chooseTopology, nodeTopologyKey, satisfiesRequisite, segmentsWithin, topologyKey } from './csi/topology.js';
export type {
  AccessModeName,
  CapacityRange,
  ControllerPublishVolumeRequest,
  ControllerUnpublishVolumeRequest,
  CreateVolumeRequest,
  CsiControllerApi,
  CsiNodeApi,
  DeleteVolumeRequest,
  Int64,
  NodePublishVolumeRequest,
  NodeStageVolumeRequest,
  NodeUnpublishVolumeRequest,
  NodeUnstageVolumeRequest,
  Snapshot,
  Topology,
  Volume,
  VolumeCapability,
  VolumeContentSource,
} from './csi/types.js';
export { checkId, checkName, checkNodeId, checkPath, maxNodeIdBytes, maxPathBytes, maxStringBytes } from './csi/validation.js';
// Errors
export {
  CsiConfigError,
  CsiEndpointError,
  CsiRpcError,
  csiErrorCodes,
  type GrpcCodeName,
  grpcCodes,
  isCsiRpcError,
  ProvisioningError,
} from './errors.js';
export {
  type AttachDetachOptions,
  type AttachDetachReport,
  type DesiredAttachment,
  desiredAttachments,
  detachRequestedAnnotation,
  syncAttachDetach,
} from './kube/attach-detach.js';
export {
  capabilityForVolume,
  isMultiAttachForbidden,
  multiAttachMessage,
  podClaims,
  podNeedsVolumes,
  readWriteOncePodOwners,
} from './kube/attach-rules.js';
export { type AttacherOptions, type AttacherReport, syncAttacher } from './kube/attacher.js';
export {
  capacityBytes,
  checkAccessModes,
  claimClassName,
  defaultStorageClass,
  findMatchingVolume,
  isVolumeBoundToClaim,
  type MatchOptions,
  nodeAffinityAllows,
  nodeTopologyLabels,
  requestedBytes,
} from './kube/binding.js';
// Kubernetes side: names, binding, attach rules (pure)
export {
  attacherFinalizer,
  provisionedVolumeName,
  publishPath,
  stagingPath,
  storageAnnotations,
  storageFinalizers,
  uniqueVolumeName,
  volumeAttachmentName,
} from './kube/names.js';
export {
  deleteClaim,
  deletePersistentVolume,
  podsUsingClaim,
  selectNodeForPodClaims,
  syncStorageProtection,
} from './kube/protection.js';
// Kubernetes side: controllers, one pass each, over a Store
export {
  type PersistentVolumeControllerOptions,
  type PersistentVolumeSyncReport,
  syncPersistentVolumes,
} from './kube/pv-controller.js';
export {
  KubeletVolumeManager,
  type PodVolumeMount,
  type VolumeManagerOptions,
  type VolumeManagerReport,
} from './kube/volume-manager.js';
