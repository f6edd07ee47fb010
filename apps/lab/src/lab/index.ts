// The lab: store + control loops + pod runtime + API server, and the hooks the emulators plug into.
export { Admission, type AdmissionOptions } from './admission.js';
export { isLoopback, parsePath } from './api/paths.js';
export { pluralOf, type ResourceInfo, resourceNamed, resourceOfKind, resourcePath, resources } from './api/resources.js';
export { type ApiRequestTrace, LabApiServer, type LabApiServerOptions } from './api/server.js';
export { failure, type Status, statusOf } from './api/status.js';
export * as controllers from './controllers/index.js';
export {
  ContainerConfigError,
  InvalidObjectError,
  KubeletLogsError,
  LabApiError,
  type LabErrorCode,
  LabNotReadyError,
  LabNotStartedError,
  LabUnreachableError,
  labErrorCodes,
  NoSuchNodeError,
  PodIPExhaustedError,
  PodLogOptionsError,
  PodNotRunningError,
  UnknownResourceError,
} from './errors.js';
export type {
  EntryPoint,
  LabAddon,
  LabContext,
  PodAddressBook,
  PodIPAllocator,
  PodNetwork,
  PodNetworkAttachment,
  PodPortBinding,
  VolumeProvider,
} from './hooks.js';
export { Informer, InformerFactory, type InformerHandler } from './informer.js';
export { Lab, type LabOptions } from './lab.js';
export { type Lease, nodeLeaseNamespace } from './lease.js';
export { labNode, labZones, workerName } from './nodes.js';
export { type PodLogOptions, podLogQuery } from './pod-log-options.js';
export { deletePodGracefully, isPodReady } from './pods.js';
export * as runtime from './runtime/index.js';
export { WorkQueue } from './work-queue.js';
