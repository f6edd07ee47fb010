// The per-node settings a kube-proxy runs with (KubeProxyConfiguration + node facts).
import { type CIDR, type IPFamily, tryParseCIDR, tryParseIP } from '@kemu/core';
import { InvalidOptionError } from './errors.js';
import type { NodeTopology } from './table/categorize.js';

/** How the proxier on one node is configured. Defaults follow upstream's unit-test fake proxier. */
export interface ProxierConfig {
  /** This node's name (endpoints with this `nodeName` are local). */
  readonly nodeName: string;
  /** This node's primary IP (`status.addresses` InternalIP); used for LB source ranges and nftables nodeport-ips. */
  readonly nodeIP?: string;
  /** The node's `topology.kubernetes.io/zone` label. */
  readonly zone?: string;
  /** PreferSameTrafficDistribution gate (node hints). Default true. */
  readonly nodeHints?: boolean;
  /** `--cluster-cidr` for detect-local mode ClusterCIDR; without it no masquerade rule is written for ClusterIPs. */
  readonly clusterCIDR?: string;
  /** `--masquerade-all`. */
  readonly masqueradeAll?: boolean;
  /** `--iptables-masquerade-bit`, default 14 (mark 0x4000). */
  readonly masqueradeBit?: number;
  /** `--iptables-localhost-nodeports`, default true. */
  readonly localhostNodePorts?: boolean;
  /** Whether the nfacct counters exist (the fake proxier in upstream tests has them). Default true. */
  readonly nfacct?: boolean;
  /** Whether iptables supports `--random-fully` (the fake does not). Default false. */
  readonly randomFully?: boolean;
  /** `nf_conntrack_tcp_be_liberal` set: the INVALID drop rule is left out. */
  readonly conntrackTCPLiberal?: boolean;
  /** Service CIDRs (nftables `cluster-ips-check` drops unallocated IPs in them). Default 10.96.0.0/12. */
  readonly serviceCIDRs?: readonly string[];
  /** Endpoint count above which comments are left off (largeClusterEndpointsThreshold). Default 1000. */
  readonly largeClusterThreshold?: number;
}

/** A validated {@link ProxierConfig}. */
export interface ResolvedConfig {
  readonly nodeName: string;
  readonly nodeIP: string | undefined;
  readonly topology: NodeTopology;
  readonly clusterCIDR: CIDR | undefined;
  readonly masqueradeAll: boolean;
  /** `0x4000` for bit 14 (the form the tests and iptables-save show). */
  readonly masqueradeMark: string;
  readonly localhostNodePorts: boolean;
  readonly nfacct: boolean;
  readonly randomFully: boolean;
  readonly conntrackTCPLiberal: boolean;
  readonly serviceCIDRs: readonly string[];
  readonly largeClusterThreshold: number;
}

/** Validates a config; throws {@link InvalidOptionError} naming the bad field. */
export function resolveConfig(config: ProxierConfig, family: IPFamily = 'IPv4'): ResolvedConfig {
  let clusterCIDR: CIDR | undefined;
  if (config.clusterCIDR !== undefined && config.clusterCIDR !== '') {
    const parsed = tryParseCIDR(config.clusterCIDR);
    if (typeof parsed === 'string') throw new InvalidOptionError('clusterCIDR', `"${config.clusterCIDR}" ${parsed}`);
    if (parsed.family === family) clusterCIDR = parsed;
  }
  if (config.nodeIP !== undefined && !tryParseIP(config.nodeIP)) {
    throw new InvalidOptionError('nodeIP', `"${config.nodeIP}" is not an IP address`);
  }
  const bit = config.masqueradeBit ?? 14;
  if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw new InvalidOptionError('masqueradeBit', 'must be 0–31');
  return {
    nodeName: config.nodeName,
    nodeIP: config.nodeIP,
    topology: { nodeName: config.nodeName, zone: config.zone ?? '', nodeHints: config.nodeHints ?? true },
    clusterCIDR,
    masqueradeAll: config.masqueradeAll ?? false,
    masqueradeMark: `0x${(2 ** bit).toString(16)}`,
    localhostNodePorts: (config.localhostNodePorts ?? true) && family === 'IPv4',
    nfacct: config.nfacct ?? true,
    randomFully: config.randomFully ?? false,
    conntrackTCPLiberal: config.conntrackTCPLiberal ?? false,
    serviceCIDRs: config.serviceCIDRs ?? ['10.96.0.0/12'],
    largeClusterThreshold: config.largeClusterThreshold ?? 1000,
  };
}
