export type * from './apps-v1.js';
export type * from './core-v1.js';
export type { Endpoint, EndpointPort, EndpointSlice, EndpointSliceAddressType } from './discovery-v1.js';
export { managedByLabel, serviceNameLabel } from './discovery-v1.js';
export type * from './gateway-v1.js';
export {
  isKind,
  isNamespaced,
  type KindInfo,
  type KindMap,
  type KnownKind,
  type KnownObject,
  knownKinds,
  ofKind,
} from './kinds.js';
export type {
  Condition,
  KubernetesObject,
  LabelSelector,
  LabelSelectorRequirement,
  LocalObjectReference,
  ObjectMeta,
  OwnerReference,
  TypeMeta,
} from './meta.js';
export { objectRef } from './meta.js';
export type * from './networking-v1.js';
export type * from './storage-v1.js';
