// The datagram path of a node agent: UDP between pods as real RFC 7348 VXLAN frames over UDP,
// NetworkPolicy at egress (sender's agent) and ingress (receiver's agent), drops counted by reason.
// Both directions of a flow: the destination agent sends to the pod from a per-flow socket and
// returns what the pod answers (datagram-reply.ts); the source agent hands it to the SOCKS client.
import { ipFromBytes } from '@kemu/core';
import { decodeVxlan } from '../vxlan/decode.js';
import { deliver } from './datagram-deliver.js';
import { receiveReply } from './datagram-reply.js';
import { type DatagramContext, type DatagramOutcome, drop, encapsulate } from './datagram-wire.js';
import { asPolicyPod } from './policy-pod.js';
import type { DatagramReply } from './socks.js';

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
  const from = { ip: srcIP, port: srcPort };
  const to = { ip: dstIP, port: dstPort };
  // The NAT record: a reply from the endpoint is reported from the Service address the pod used.
  if (reply) ctx.sourceFlows.opened({ pod: from, peer: to, reported: { ip: host, port }, reply });
  if (dst.node === ctx.options.node) return deliver(ctx, srcIP, srcPort, dstIP, dstPort, payload);
  return encapsulate(ctx, dst.node, from, to, payload);
}

/** Handles a datagram on the VXLAN socket: decode, VNI check, then a reply or ingress policy and delivery. */
export function receiveVxlan(ctx: DatagramContext, msg: Uint8Array): void {
  const decoded = decodeVxlan(msg);
  if (!decoded.ok) return void ctx.counters.drop(`vxlan-${decoded.reason}`);
  const { vni, packet } = decoded.frame;
  // RFC 7348 §4: the decapsulating VTEP drops frames of VNIs it does not serve.
  if (vni !== (ctx.options.vni ?? 1)) return void ctx.counters.drop('unknown-vni');
  if (packet.transport.protocol !== 'UDP') return void ctx.counters.drop('not-udp');
  const srcIP = ipString(packet.src);
  const dstIP = ipString(packet.dst);
  const { srcPort, dstPort } = packet.transport;
  // Conntrack: a datagram matching a flow our pod opened is its reply; anything else is new.
  if (receiveReply(ctx, { ip: srcIP, port: srcPort }, { ip: dstIP, port: dstPort }, packet.payload)) return;
  deliver(ctx, srcIP, srcPort, dstIP, dstPort, packet.payload);
}

function ipString(bytes: Uint8Array): string {
  return ipFromBytes(bytes).toString();
}
