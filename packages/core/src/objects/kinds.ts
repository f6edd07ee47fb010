import type { Deployment, ReplicaSet, StatefulSet } from './apps-v1.js';
import type { ConfigMap, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service } from './core-v1.js';
import type { EndpointSlice } from './discovery-v1.js';
import type { Gateway, GatewayClass, HTTPRoute, ReferenceGrant } from './gateway-v1.js';
import type { KubernetesObject } from './meta.js';
import type { Ingress, IngressClass, NetworkPolicy } from './networking-v1.js';
import type { CSIDriver, CSINode, StorageClass, VolumeAttachment } from './storage-v1.js';

/** What kemu knows of a kind: the apiVersions it accepts and whether objects live in a namespace. */
export interface KindInfo {
  kind: string;
  /** Accepted apiVersions, preferred first. */
  apiVersions: readonly string[];
  namespaced: boolean;
}

const kindTable: KindInfo[] = [
  { kind: 'Namespace', apiVersions: ['v1'], namespaced: false },
  { kind: 'Node', apiVersions: ['v1'], namespaced: false },
  { kind: 'Pod', apiVersions: ['v1'], namespaced: true },
  { kind: 'Service', apiVersions: ['v1'], namespaced: true },
  { kind: 'Secret', apiVersions: ['v1'], namespaced: true },
  { kind: 'ConfigMap', apiVersions: ['v1'], namespaced: true },
  { kind: 'PersistentVolumeClaim', apiVersions: ['v1'], namespaced: true },
  { kind: 'PersistentVolume', apiVersions: ['v1'], namespaced: false },
  { kind: 'Deployment', apiVersions: ['apps/v1'], namespaced: true },
  { kind: 'ReplicaSet', apiVersions: ['apps/v1'], namespaced: true },
  { kind: 'StatefulSet', apiVersions: ['apps/v1'], namespaced: true },
  { kind: 'EndpointSlice', apiVersions: ['discovery.k8s.io/v1'], namespaced: true },
  { kind: 'Ingress', apiVersions: ['networking.k8s.io/v1'], namespaced: true },
  { kind: 'IngressClass', apiVersions: ['networking.k8s.io/v1'], namespaced: false },
  { kind: 'NetworkPolicy', apiVersions: ['networking.k8s.io/v1'], namespaced: true },
  { kind: 'GatewayClass', apiVersions: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'], namespaced: false },
  { kind: 'Gateway', apiVersions: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'], namespaced: true },
  { kind: 'HTTPRoute', apiVersions: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'], namespaced: true },
  {
    kind: 'ReferenceGrant',
    apiVersions: ['gateway.networking.k8s.io/v1beta1', 'gateway.networking.k8s.io/v1'],
    namespaced: true,
  },
  { kind: 'StorageClass', apiVersions: ['storage.k8s.io/v1'], namespaced: false },
  { kind: 'VolumeAttachment', apiVersions: ['storage.k8s.io/v1'], namespaced: false },
  { kind: 'CSIDriver', apiVersions: ['storage.k8s.io/v1'], namespaced: false },
  { kind: 'CSINode', apiVersions: ['storage.k8s.io/v1'], namespaced: false },
];

/** Every kind kemu reads, by name. */
export const knownKinds: ReadonlyMap<string, KindInfo> = new Map(kindTable.map((k) => [k.kind, k]));

/** The kinds kemu models, by kind name. */
export interface KindMap {
  Namespace: Namespace;
  Node: Node;
  Pod: Pod;
  Service: Service;
  Secret: Secret;
  ConfigMap: ConfigMap;
  PersistentVolumeClaim: PersistentVolumeClaim;
  PersistentVolume: PersistentVolume;
  Deployment: Deployment;
  ReplicaSet: ReplicaSet;
  StatefulSet: StatefulSet;
  EndpointSlice: EndpointSlice;
  Ingress: Ingress;
  IngressClass: IngressClass;
  NetworkPolicy: NetworkPolicy;
  GatewayClass: GatewayClass;
  Gateway: Gateway;
  HTTPRoute: HTTPRoute;
  ReferenceGrant: ReferenceGrant;
  StorageClass: StorageClass;
  VolumeAttachment: VolumeAttachment;
  CSIDriver: CSIDriver;
  CSINode: CSINode;
}

/** Name of a kind kemu models. */
export type KnownKind = keyof KindMap;

/** Any object of a kind kemu models. */
export type KnownObject = KindMap[KnownKind];

/** Narrows an object to one kind. */
export function isKind<K extends KnownKind>(object: KubernetesObject, kind: K): object is KindMap[K] {
  return object.kind === kind;
}

/** Objects of one kind out of a mixed list. */
export function ofKind<K extends KnownKind>(objects: readonly KubernetesObject[], kind: K): KindMap[K][] {
  return objects.filter((o): o is KindMap[K] => o.kind === kind);
}

/** Whether objects of `kind` live in a namespace; unknown kinds are taken as namespaced. */
export function isNamespaced(kind: string): boolean {
  return knownKinds.get(kind)?.namespaced ?? true;
}
