// The flannel VXLAN overlay as a model (reference §3): a subnet lease per node, and per node the
// route, neighbour and FDB entry for every remote lease, MTU = underlay - 50.
import { type CIDR, parseCIDR, tryParseIP } from '@kemu/core';
import { UnknownNodeError } from '../errors.js';
import { assignPodCIDRs } from '../ipam/pod-cidrs.js';
import { vxlanLinuxPort, vxlanOverheadIPv4, vxlanOverheadIPv6 } from '../vxlan/constants.js';
import { vtepMac } from './vtep.js';

/** A node of the overlay. */
export interface OverlayNode {
  name: string;
  /** The underlay ("public") address: Node InternalIP, or a loopback address in a lab. */
  publicIP: string;
  /** `spec.podCIDRs` when the Node already has them. */
  podCIDRs?: readonly string[];
}

/** Options of {@link buildOverlay}. */
export interface OverlayOptions {
  /** The flannel `Network` (cluster CIDR); dual-stack adds the IPv6 network. Default 10.244.0.0/16. */
  clusterCIDRs?: readonly string[];
  /** VXLAN network identifier; flannel's default is 1. */
  vni?: number;
  /** UDP port: 8472 (Linux/flannel default) or 4789 (IANA). */
  port?: number;
  /** Underlay MTU; default 1500. */
  underlayMTU?: number;
}

/** One node's lease: flannel's `/coreos.com/network/subnets/…` value or node annotations. */
export interface SubnetLease {
  node: string;
  /** The node's pod subnets (IPv4 first in dual-stack). */
  subnets: CIDR[];
  publicIP: string;
  vtepMac: string;
  vni: number;
}

/** A route on a node. */
export interface OverlayRoute {
  dst: string;
  via?: string;
  dev: string;
  onlink?: boolean;
  src?: string;
}

/** A permanent neighbour (ARP/NDP) entry. */
export interface OverlayNeighbour {
  ip: string;
  lladdr: string;
  dev: string;
}

/** A bridge FDB entry sending a MAC to a remote VTEP. */
export interface OverlayFdb {
  mac: string;
  dev: string;
  dst: string;
}

/** What one node programs. */
export interface NodeNetworkState {
  node: string;
  lease: SubnetLease;
  /** `flannel.<VNI>` (and `flannel-v6.<VNI>`). */
  devices: { name: string; address: string; mtu: number; port: number; vni: number; local: string }[];
  routes: OverlayRoute[];
  neighbours: OverlayNeighbour[];
  fdb: OverlayFdb[];
  /** `/run/flannel/subnet.env`. */
  subnetEnv: string;
}

/** The whole overlay: leases by node and the settings shared by all. */
export interface Overlay {
  leases: Map<string, SubnetLease>;
  clusterCIDRs: CIDR[];
  vni: number;
  port: number;
  mtu: number;
}

/** Leases a subnet to every node (kube subnet manager: the node's podCIDRs, else the next free). */
export function buildOverlay(nodes: readonly OverlayNode[], options: OverlayOptions = {}): Overlay {
  const clusterCIDRs = options.clusterCIDRs ?? ['10.244.0.0/16'];
  const vni = options.vni ?? 1;
  const assigned = assignPodCIDRs(
    nodes.map((n) => (n.podCIDRs ? { name: n.name, podCIDRs: n.podCIDRs } : n.name)),
    { clusterCIDRs },
  );
  const leases = new Map<string, SubnetLease>();
  for (const n of nodes) {
    leases.set(n.name, {
      node: n.name,
      subnets: (assigned.get(n.name) ?? []).map((c) => parseCIDR(c)),
      publicIP: n.publicIP,
      vtepMac: vtepMac(n.publicIP),
      vni,
    });
  }
  const underlay = options.underlayMTU ?? 1500;
  const v6Underlay = nodes.some((n) => n.publicIP.includes(':'));
  return {
    leases,
    clusterCIDRs: clusterCIDRs.map((c) => parseCIDR(c)),
    vni,
    port: options.port ?? vxlanLinuxPort,
    // flannel subtracts 50 (14+20+8+8); an IPv6 underlay needs 70.
    mtu: underlay - (v6Underlay ? vxlanOverheadIPv6 : vxlanOverheadIPv4),
  };
}

/** The lease of a node; throws {@link UnknownNodeError}. */
export function leaseOf(overlay: Overlay, node: string): SubnetLease {
  const lease = overlay.leases.get(node);
  if (!lease) throw new UnknownNodeError(node);
  return lease;
}

/** Routes, neighbours and FDB entries node `node` programs (reference §3.2). */
export function nodeNetworkState(overlay: Overlay, node: string): NodeNetworkState {
  const lease = leaseOf(overlay, node);
  const dev = (v6: boolean) => (v6 ? `flannel-v6.${overlay.vni}` : `flannel.${overlay.vni}`);
  const routes: OverlayRoute[] = [];
  const neighbours: OverlayNeighbour[] = [];
  const fdb: OverlayFdb[] = [];
  for (const s of lease.subnets) {
    routes.push({ dst: s.toString(), dev: 'cni0', src: s.network.next().toString() });
  }
  for (const remote of overlay.leases.values()) {
    if (remote.node === node) continue;
    for (const s of remote.subnets) {
      const d = dev(s.family === 'IPv6');
      const via = s.network.toString();
      routes.push({ dst: s.toString(), via, dev: d, onlink: true });
      neighbours.push({ ip: via, lladdr: remote.vtepMac, dev: d });
    }
    const families = new Set(remote.subnets.map((s) => s.family));
    for (const f of families) fdb.push({ mac: remote.vtepMac, dev: dev(f === 'IPv6'), dst: remote.publicIP });
  }
  const devices = lease.subnets.map((s) => ({
    name: dev(s.family === 'IPv6'),
    address: `${s.network}/${s.network.bits}`,
    mtu: overlay.mtu,
    port: overlay.port,
    vni: overlay.vni,
    local: lease.publicIP,
  }));
  const v4 = lease.subnets.find((s) => s.family === 'IPv4');
  const net4 = overlay.clusterCIDRs.find((c) => c.family === 'IPv4');
  const env = [
    ...(net4 ? [`FLANNEL_NETWORK=${net4}`] : []),
    ...(v4 ? [`FLANNEL_SUBNET=${v4.network.next()}/${v4.prefixLength}`] : []),
    `FLANNEL_MTU=${overlay.mtu}`,
    'FLANNEL_IPMASQ=false',
  ];
  return { node, lease, devices, routes, neighbours, fdb, subnetEnv: `${env.join('\n')}\n` };
}

/** The node that owns an overlay address, if any. */
export function nodeForAddress(overlay: Overlay, ip: string): SubnetLease | undefined {
  const addr = tryParseIP(ip);
  if (!addr) return undefined;
  for (const lease of overlay.leases.values()) if (lease.subnets.some((s) => s.contains(addr))) return lease;
  return undefined;
}
