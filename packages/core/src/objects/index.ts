export type {
  TypeMeta,
  ObjectMeta,
  OwnerReference,
  KubernetesObject,
  LabelSelector,
  LabelSelectorRequirement,
  Condition,
  LocalObjectReference,
} from './meta.js';
export { objectRef } from './meta.js';
export type * from './core-v1.js';
export type * from './apps-v1.js';
export type * from './networking-v1.js';
export type * from './gateway-v1.js';
export type * from './storage-v1.js';
export type { Endpoint, EndpointPort, EndpointSlice, EndpointSliceAddressType } from './discovery-v1.js';
export { serviceNameLabel, managedByLabel } from './discovery-v1.js';
export { type KindInfo, type KindMap, type KnownKind, type KnownObject, knownKinds, isKind, ofKind, isNamespaced } from './kinds.js';
