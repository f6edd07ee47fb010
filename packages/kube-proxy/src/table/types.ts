// The service table as kube-proxy holds it: pkg/proxy/serviceport.go (ServicePort) and
// pkg/proxy/endpoint.go (Endpoint), one entry per Service port and IP family.
import type { IPFamily, Protocol } from '@kemu/core';
import type { IPTablesChainNames } from '../names.js';

/** ClientIP session affinity of a Service port. */
export interface SessionAffinity {
  readonly type: 'ClientIP';
  /** `sessionAffinityConfig.clientIP.timeoutSeconds` (API default 10800, max 86400). */
  readonly timeoutSeconds: number;
}

/** One proxied Service port (upstream `servicePortInfo`). */
export interface ServicePortInfo {
  /** Table key: `namespace/name:portName/PROTOCOL` (unique per family). */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** The Service port's `name` ("" when unnamed). */
  readonly portName: string;
  readonly protocol: Protocol;
  /** `ServicePortName.String()`: `ns/name:port`, or `ns/name` for an unnamed port. Used in every comment and hash. */
  readonly nameString: string;
  readonly family: IPFamily;
  readonly clusterIP: string;
  readonly port: number;
  /** 0 when the port has none. */
  readonly nodePort: number;
  /** `spec.externalIPs` of this family. */
  readonly externalIPs: readonly string[];
  /** `status.loadBalancer.ingress[].ip` of this family, `ipMode: Proxy` left out. */
  readonly loadBalancerVIPs: readonly string[];
  /** `spec.loadBalancerSourceRanges`, trimmed, of this family. */
  readonly loadBalancerSourceRanges: readonly string[];
  /** Served only for type LoadBalancer with externalTrafficPolicy Local; else 0. */
  readonly healthCheckNodePort: number;
  readonly sessionAffinity: SessionAffinity | undefined;
  /** externalTrafficPolicy Local on an externally accessible Service. */
  readonly externalPolicyLocal: boolean;
  /** internalTrafficPolicy Local. */
  readonly internalPolicyLocal: boolean;
  /** nodePort, LB VIP or externalIP present (upstream `ExternallyAccessible()`). */
  readonly externallyAccessible: boolean;
  /** `!internalPolicyLocal || externallyAccessible`. */
  readonly usesClusterEndpoints: boolean;
  /** `internalPolicyLocal || (externalPolicyLocal && externallyAccessible)`. */
  readonly usesLocalEndpoints: boolean;
  /** `spec.trafficDistribution`, kept for explanations (kube-proxy itself reads only the hints). */
  readonly trafficDistribution: string | undefined;
  readonly chains: IPTablesChainNames;
  /** nftables base name `HASH8-ns/name/proto/portName`. */
  readonly nftBase: string;
}

/** One endpoint of a Service port (upstream `BaseEndpointInfo`). */
export interface EndpointInfo {
  readonly ip: string;
  /** The EndpointSlice port (target port). */
  readonly port: number;
  /** `ip:port` (`[ip]:port` for IPv6): the sort key, the dedupe key and the DNAT target. */
  readonly endpoint: string;
  /** `conditions.ready`, null counted as true. */
  readonly ready: boolean;
  /** `conditions.serving`, null counted as true. */
  readonly serving: boolean;
  /** `conditions.terminating`, null counted as false. */
  readonly terminating: boolean;
  /** `endpoint.nodeName` ("" when unset). */
  readonly nodeName: string;
  readonly zone: string;
  readonly zoneHints: ReadonlySet<string>;
  readonly nodeHints: ReadonlySet<string>;
  readonly hostname: string | undefined;
  /** `targetRef.name` when it is a Pod. */
  readonly podName: string | undefined;
  /** KUBE-SEP-… chain. */
  readonly chain: string;
  /** nftables endpoint base name. */
  readonly nftBase: string;
}

/** A Service port with its endpoints (serving or not), as one sync saw it. */
export interface ServicePortState {
  readonly port: ServicePortInfo;
  readonly endpoints: readonly EndpointInfo[];
}

/** Something kube-proxy would skip, with why (it logs these and carries on). */
export interface TableWarning {
  readonly object: string;
  readonly message: string;
}
