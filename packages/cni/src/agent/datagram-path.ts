// The datagram path of a node agent: UDP between pods as real RFC 7348 VXLAN frames over UDP,
// NetworkPolicy at egress (sender's agent) and ingress (receiver's agent), drops counted by reason.
// Both directions of a flow: the destination agent sends to the pod from a per-flow socket and
// returns what the pod answers (datagram-reply.ts); the source agent hands it to the SOCKS client.
import { ipFromBytes } from '@kemu/core';
import { formatMac } from '../overlay/vtep.js';
import { decodeVxlan } from '../vxlan/decode.js';
import { deliver } from './datagram-deliver.js';
import { receiveReply } from './datagram-reply.js';
import { type DatagramContext, type DatagramOutcome, drop, encapsulate } from './datagram-wire.js';
import { asPolicyPod } from './policy-pod.js';
import type { DatagramReply } from './socks.js';
import type { FlowEnd, SourceFlow } from './source-flows.js';

export type { DatagramContext, DatagramOutcome } from './datagram-wire.js';

/**
 * Sends a UDP datagram from a local pod: egress policy, then a real VXLAN frame (RFC 7348) to
 * the destination agent's VXLAN port, or straight to the pod when it is on this node. With
 * `reply` (the pod's SOCKS UDP relay), the flow is tracked so that answers come back to it.
 */
export function sendDatagram(
  ctx: DatagramContext,
  srcIP: string,
  srcPort: number,
  host: string,
  port: number,
  payload: Uint8Array,
  reply?: DatagramReply,
): DatagramOutcome {
  const src = ctx.localPod(srcIP);
  if (!src) return { ok: false, reason: `${srcIP} is not a pod of node ${ctx.options.node}` };
  const svc = ctx.options.resolveService?.(
    { ip: host, port, protocol: 'UDP' },
    { ip: srcIP, port: srcPort, node: ctx.options.node },
  );
  if (svc && 'reject' in svc) return drop(ctx, 'service-rejected', srcIP, host, svc.reject);
  const dstIP = svc?.ip ?? host;
  const dstPort = svc?.port ?? port;
  const dst = ctx.options.directory.podByIP(dstIP);
  const verdict = ctx.options
    .policy()
    .verdict(asPolicyPod(src), dst ? asPolicyPod(dst) : dstIP, { port: dstPort, protocol: 'UDP' });
  if (!verdict.egress.allowed) return drop(ctx, 'policy-egress', srcIP, dstIP, verdict.egress.reason);
  if (!dst) return drop(ctx, 'no-route', srcIP, dstIP, `no pod has address ${dstIP}`);
  // The NAT record: a reply from the endpoint is reported from the Service address the pod used.
  const flow = { pod: { ip: srcIP, port: srcPort }, peer: { ip: dstIP, port: dstPort }, reported: { ip: host, port } };
  return forward(ctx, dst.node, flow, payload, reply);
}

/**
 * Sends a UDP datagram from this node's host network (a NodePort the node serves, masqueraded
 * to `source`) to pod `dstIP:dstPort`, the datagram counterpart of `connectFromHost`: no egress
 * policy (it selects pods); the destination judges ingress on `source.ip` as an address.
 */
export function sendDatagramFromHost(
  ctx: DatagramContext,
  source: FlowEnd,
  dstIP: string,
  dstPort: number,
  payload: Uint8Array,
  reply?: DatagramReply,
): DatagramOutcome {
  const dst = ctx.options.directory.podByIP(dstIP);
  if (!dst) return drop(ctx, 'no-route', source.ip, dstIP, `no pod has address ${dstIP}`);
  const to = { ip: dstIP, port: dstPort };
  return forward(ctx, dst.node, { pod: source, peer: to, reported: to }, payload, reply);
}

/** Tracks the flow when its answers are wanted, then hands the datagram over: the bridge here, or VXLAN to `node`. */
function forward(
  ctx: DatagramContext,
  node: string,
  flow: Omit<SourceFlow, 'reply'>,
  payload: Uint8Array,
  reply?: DatagramReply,
): DatagramOutcome {
  const { pod: from, peer: to } = flow;
  if (reply) ctx.sourceFlows.opened({ ...flow, reply });
  if (node === ctx.options.node) return deliver(ctx, from.ip, from.port, to.ip, to.port, payload);
  return encapsulate(ctx, node, from, to, payload);
}

/**
 * Handles a datagram on the VXLAN socket: decode, VNI check, then a reply or ingress policy and
 * delivery. `outer` is the sending VTEP's socket address, learnt for the flow (RFC 7348 §4.1).
 */
export function receiveVxlan(ctx: DatagramContext, msg: Uint8Array, outer?: { address: string; port: number }): void {
  const decoded = decodeVxlan(msg);
  if (!decoded.ok) return void ctx.counters.drop(`vxlan-${decoded.reason}`);
  const { vni, packet } = decoded.frame;
  // RFC 7348 §4: the decapsulating VTEP drops frames of VNIs it does not serve.
  if (vni !== (ctx.options.vni ?? 1)) return void ctx.counters.drop('unknown-vni');
  if (packet.transport.protocol !== 'UDP') return void ctx.counters.drop('not-udp');
  const srcIP = ipString(packet.src);
  const dstIP = ipString(packet.dst);
  const { srcPort, dstPort } = packet.transport;
  // Conntrack: a datagram matching a flow opened here (by our pod or the host) is its reply; anything else is new.
  if (receiveReply(ctx, { ip: srcIP, port: srcPort }, { ip: dstIP, port: dstPort }, packet.payload)) return;
  const underlay = outer && { address: outer.address, vxlanPort: outer.port, vtepMac: formatMac(packet.srcMac) };
  deliver(ctx, srcIP, srcPort, dstIP, dstPort, packet.payload, underlay);
}

function ipString(bytes: Uint8Array): string {
  return ipFromBytes(bytes).toString();
}
