// Shapes shared by the node agent's pieces.
import type { ContainerPort, Labels } from '@kemu/core';
import type { PolicyEngine } from '../policy/engine.js';
import type { UdpTimeouts } from './udp-flow-timer.js';

/** A pod as registered with its node agent: a virtual IP backed by real loopback listeners. */
export interface PodRegistration {
  namespace: string;
  name: string;
  /** The pod's virtual IP (never a socket address). */
  ip: string;
  labels?: Labels;
  ports?: ContainerPort[];
  /** Virtual TCP port -> real `host:port` (127.0.0.1) where the pod listens. */
  tcp?: Record<number, { host: string; port: number }>;
  /** Virtual UDP port -> real `host:port` where the pod receives datagrams. */
  udp?: Record<number, { host: string; port: number }>;
}

/** Where a node's agent can be reached. */
export interface AgentEndpoint {
  node: string;
  /** Underlay address (127.0.0.x in a single-machine lab). */
  address: string;
  /** HTTP/2 tunnel port. */
  tunnelPort: number;
  /** VXLAN UDP port. */
  vxlanPort: number;
  /** VTEP MAC. */
  vtepMac: string;
}

/** The cluster's address book, shared by all agents (a lab backs it with its store). */
export interface AgentDirectory {
  /** The pod that has this virtual IP, with the node it runs on. */
  podByIP(ip: string): (PodRegistration & { node: string }) | undefined;
  /** The agent of a node. */
  agent(node: string): AgentEndpoint | undefined;
}

/** Who opened a connection to a Service: the source pod's IP and port, and the node it runs on. */
export interface ServiceClient {
  ip: string;
  port: number;
  node: string;
}

/**
 * A Service address with no usable endpoint for this client, as kube-proxy's filter rules REJECT
 * or DROP it (e.g. "has no local endpoints"): the connection fails with this reason.
 */
export interface ServiceRejection {
  reject: string;
}

/**
 * The ClusterIP hook: kube-proxy plugs in here. Given a destination the pod dialled (and, from the
 * agent, who dialled it: kube-proxy's choice depends on the source node and, with ClientIP
 * affinity, the source IP), return the endpoint (pod IP and port) to use instead, a
 * {@link ServiceRejection} when the Service has no endpoint for this client, or undefined when it
 * is not a Service address.
 */
export type ServiceResolver = (
  dst: {
    ip: string;
    port: number;
    protocol: 'TCP' | 'UDP';
  },
  src?: ServiceClient,
) => { ip: string; port: number } | ServiceRejection | undefined;

/**
 * What the pod's resolver makes of a name (the name hook's answer): an address (`name` is the
 * fully qualified name that answered, `canonical` the in-cluster CNAME target it led to), an
 * ExternalName Service pointing out of the cluster, or nothing (`tried` are the names asked,
 * `noData` the first that exists without an address).
 */
export type NameAnswer =
  | { kind: 'address'; ip: string; name: string; canonical?: string }
  | { kind: 'external'; name: string; externalName: string }
  | { kind: 'nxdomain'; tried: readonly string[]; noData?: string };

/**
 * The name hook: cluster DNS plugs in here. Resolves a name a pod gave its proxy (an HTTP
 * absolute-URI or CONNECT host, a SOCKS5 ATYP 03 domain name) as the pod's resolver would, with
 * its namespace's search path (kubelet's ClusterFirst resolv.conf); undefined when no cluster DNS
 * answers (yet). Pure: called per connection and per datagram. Numeric addresses never reach it.
 */
export type NameResolver = (name: string, pod: { namespace: string; ip: string }) => NameAnswer | undefined;

/** Options of the node agent. */
export interface NodeAgentOptions {
  node: string;
  /** The agent's own loopback address, e.g. 127.0.0.2 (127.0.0.0/8 routes to lo on Linux). */
  address: string;
  directory: AgentDirectory;
  /** The current policies; called per new connection, so changes apply at once. */
  policy: () => PolicyEngine;
  /** VXLAN network identifier; default 1. */
  vni?: number;
  /** VXLAN port to bind; 0 (default) picks one, 8472 as flannel, 4789 as IANA. */
  vxlanPort?: number;
  /** Tunnel port to bind; default 0. */
  tunnelPort?: number;
  /** Overlay MTU for datagrams; default 1450. */
  mtu?: number;
  /** ClusterIP resolution hook (kube-proxy). */
  resolveService?: ServiceResolver;
  /** Name resolution hook (cluster DNS); without it a name the pod gives its proxies resolves to nothing. */
  resolveName?: NameResolver;
  /**
   * Idle timeouts of UDP flows in ms (conntrack's nf_conntrack_udp_timeout, 30 000, and
   * nf_conntrack_udp_timeout_stream, 120 000); after them a flow's socket and NAT record go.
   */
  udpTimeouts?: Partial<UdpTimeouts>;
}

/** The answer of opening a stream. */
export type ConnectOutcome =
  | { ok: true; stream: import('node:stream').Duplex; hops: string[] }
  | { ok: false; status: 403 | 502 | 503 | 504; reason: string; hops?: string[] };

export type { PolicyEngine };
