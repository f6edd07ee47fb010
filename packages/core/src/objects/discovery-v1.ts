// discovery.k8s.io/v1 EndpointSlice (k8s.io/api/discovery/v1/types.go).
import type { Protocol } from './core-v1.js';
import type { KubernetesObject } from './meta.js';

/** Address types of an EndpointSlice. */
export type EndpointSliceAddressType = 'IPv4' | 'IPv6' | 'FQDN';

/** One endpoint of a slice; a null condition has its documented default (ready/serving true, terminating false). */
export interface Endpoint {
  addresses: string[];
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  hostname?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: { name: string }[]; forNodes?: { name: string }[] };
}

/** One port of a slice; `name` must be "" for an unnamed Service port (null is ignored by kube-proxy). */
export interface EndpointPort {
  name?: string | null;
  protocol?: Protocol;
  port?: number | null;
  appProtocol?: string;
}

/** An EndpointSlice. Its Service is named by the label `kubernetes.io/service-name`. */
export interface EndpointSlice extends KubernetesObject {
  kind: 'EndpointSlice';
  addressType: EndpointSliceAddressType;
  endpoints: Endpoint[];
  ports?: EndpointPort[];
}

/** The label that ties an EndpointSlice to its Service. */
export const serviceNameLabel = 'kubernetes.io/service-name';
/** The label that names the controller managing an EndpointSlice. */
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
