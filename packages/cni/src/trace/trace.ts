// tracePacket: the hops a packet takes from one pod to another through the flannel VXLAN overlay
// (reference §3.3), with the policy verdicts at egress (source node) and ingress (destination node).
import type { Protocol } from '@kemu/core';
import { parseIP } from '@kemu/core';
import { UnknownPodError } from '../errors.js';
import { leaseOf, nodeForAddress, nodeNetworkState } from '../overlay/overlay.js';
import type { PolicyVerdict } from '../policy/types.js';
import { ipProtocol } from '../vxlan/constants.js';
import { flowSourcePort } from '../vxlan/outer.js';
import { type ClusterModel, findPod, type PlacedPod } from './cluster.js';

/** One hop of a trace (a closed union; `kind` says which). */
export type TraceHop =
  | { kind: 'pod'; role: 'source' | 'destination'; pod: string; ip: string; node: string }
  | { kind: 'address'; role: 'destination'; ip: string; note: string }
  | { kind: 'policy'; direction: 'egress' | 'ingress'; node: string; allowed: boolean; policies: string[]; reason: string }
  | { kind: 'route'; node: string; route: string; neighbour?: string; fdb?: string }
  | {
      kind: 'encapsulation';
      vni: number;
      outer: { src: string; dst: string; srcPort: number; dstPort: number };
      inner: { src: string; dst: string; srcMac: string; dstMac: string };
      mtu: number;
    }
  | { kind: 'decapsulation'; node: string; device: string }
  | { kind: 'bridge'; node: string; device: 'cni0'; note: string }
  | { kind: 'drop'; node: string; reason: string };

/** A trace: the hops in order, the verdict, and whether the packet arrives. */
export interface PacketTrace {
  delivered: boolean;
  hops: TraceHop[];
  verdict: PolicyVerdict;
}

/** Traces a connection start from pod `src` to pod or address `dst` (`ns/name` or an IP). */
export function tracePacket(
  model: ClusterModel,
  src: string,
  dst: string,
  flow: { port: number; protocol?: Protocol } = { port: 80 },
): PacketTrace {
  const from = findPod(model, src);
  if (!from) throw new UnknownPodError(src);
  const to = findPod(model, dst);
  const dstIP = to?.ip ?? dst;
  if (!to && !parseIPOrUndefined(dst)) throw new UnknownPodError(dst);
  const protocol = flow.protocol ?? 'TCP';
  const verdict = model.policy.verdict(from, to ?? dst, { port: flow.port, protocol });
  const hops: TraceHop[] = [{ kind: 'pod', role: 'source', pod: id(from), ip: from.ip, node: from.node }];
  hops.push({ kind: 'policy', direction: 'egress', node: from.node, ...pick(verdict.egress) });
  if (!verdict.egress.allowed) {
    hops.push({ kind: 'drop', node: from.node, reason: verdict.egress.reason });
    return { delivered: false, hops, verdict };
  }
  const state = nodeNetworkState(model.overlay, from.node);
  const owner = nodeForAddress(model.overlay, dstIP);
  if (!owner) {
    hops.push({
      kind: 'address',
      role: 'destination',
      ip: dstIP,
      note: 'outside every pod subnet: leaves through the node (no overlay)',
    });
    return { delivered: true, hops, verdict };
  }
  if (owner.node === from.node) {
    hops.push({ kind: 'bridge', node: from.node, device: 'cni0', note: 'same node: switched on the bridge, never tunnelled' });
  } else {
    const subnet = owner.subnets.find((s) => s.contains(parseIP(dstIP)))!;
    const route = state.routes.find((r) => r.dst === subnet.toString())!;
    const neigh = state.neighbours.find((n) => n.ip === route.via);
    const fdb = state.fdb.find((f) => f.mac === neigh?.lladdr && f.dev === route.dev);
    hops.push({
      kind: 'route',
      node: from.node,
      route: `${route.dst} via ${route.via} dev ${route.dev} onlink`,
      ...(neigh ? { neighbour: `${neigh.ip} lladdr ${neigh.lladdr}` } : {}),
      ...(fdb ? { fdb: `${fdb.mac} dst ${fdb.dst}` } : {}),
    });
    const local = leaseOf(model.overlay, from.node);
    const proto = protocol === 'UDP' ? ipProtocol.UDP : ipProtocol.TCP;
    hops.push({
      kind: 'encapsulation',
      vni: model.overlay.vni,
      outer: {
        src: local.publicIP,
        dst: owner.publicIP,
        srcPort: flowSourcePort(parseIP(from.ip).toBytes(), parseIP(dstIP).toBytes(), 0, flow.port, proto),
        dstPort: model.overlay.port,
      },
      inner: { src: from.ip, dst: dstIP, srcMac: local.vtepMac, dstMac: owner.vtepMac },
      mtu: model.overlay.mtu,
    });
    hops.push({ kind: 'decapsulation', node: owner.node, device: route.dev });
    hops.push({ kind: 'bridge', node: owner.node, device: 'cni0', note: `routed to ${dstIP} on ${owner.node}'s bridge` });
  }
  hops.push({ kind: 'policy', direction: 'ingress', node: owner.node, ...pick(verdict.ingress) });
  if (!verdict.ingress.allowed) {
    hops.push({ kind: 'drop', node: owner.node, reason: verdict.ingress.reason });
    return { delivered: false, hops, verdict };
  }
  if (to) hops.push({ kind: 'pod', role: 'destination', pod: id(to), ip: to.ip, node: to.node });
  else hops.push({ kind: 'address', role: 'destination', ip: dstIP, note: 'no pod has this address on its node' });
  return { delivered: to !== undefined, hops, verdict };
}

function id(p: PlacedPod): string {
  return `${p.namespace}/${p.name}`;
}

function pick(v: PolicyVerdict['egress']): { allowed: boolean; policies: string[]; reason: string } {
  return { allowed: v.allowed, policies: v.policies, reason: v.reason };
}

function parseIPOrUndefined(text: string): boolean {
  try {
    parseIP(text);
    return true;
  } catch {
    return false;
  }
}
