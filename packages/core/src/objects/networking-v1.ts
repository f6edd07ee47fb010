// networking.k8s.io/v1 kinds (k8s.io/api/networking/v1/types.go).
import type { IntOrString, Protocol } from './core-v1.js';
import type { KubernetesObject, LabelSelector } from './meta.js';

/** The backend of an Ingress path or default backend. */
export interface IngressBackend {
  service?: { name: string; port: { name?: string; number?: number } };
  resource?: { apiGroup?: string; kind: string; name: string };
}

/** Path types of Ingress v1. */
export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** One HTTP path of an Ingress rule. */
export interface HTTPIngressPath {
  path?: string;
  pathType: PathType;
  backend: IngressBackend;
}

/** One rule of an Ingress. */
export interface IngressRule {
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}

/** An Ingress. */
export interface Ingress extends KubernetesObject {
  kind: 'Ingress';
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: { hosts?: string[]; secretName?: string }[];
    rules?: IngressRule[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** An IngressClass. */
export interface IngressClass extends KubernetesObject {
  kind: 'IngressClass';
  spec: {
    controller?: string;
    parameters?: { apiGroup?: string; kind: string; name: string; namespace?: string; scope?: 'Cluster' | 'Namespace' };
  };
}

/** A NetworkPolicy port: protocol defaults to TCP; a missing port means all ports. */
export interface NetworkPolicyPort {
  protocol?: Protocol;
  port?: IntOrString;
  endPort?: number;
}

/** A NetworkPolicy peer. */
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

/** A NetworkPolicy. */
export interface NetworkPolicy extends KubernetesObject {
  kind: 'NetworkPolicy';
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}
