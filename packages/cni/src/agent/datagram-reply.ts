// The reply direction of a UDP flow. NetworkPolicy is stateful: "reply traffic for those
// connections will also be implicitly allowed" (kubernetes.io, Network Policies), so a reply of an
// allowed flow is judged by neither the replying pod's egress nor the client pod's ingress rules —
// as conntrack's ESTABLISHED state passes it in real CNIs.
import { deliver } from './datagram-deliver.js';
import { type DatagramContext, drop, encapsulate, encapsulateTo } from './datagram-wire.js';
import type { DestinationFlow } from './destination-flows.js';
import type { FlowEnd } from './source-flows.js';

/**
 * Destination side: a datagram the pod sent back on `flow` goes to the source, inner source = the
 * pod's virtual `dst`, inner destination = the flow's `src`: in a VXLAN frame to the source pod's
 * agent (or, for a source that is no pod, the VTEP the flow came from), or straight to the local
 * relay when the flow was opened on this node.
 */
export function returnDatagram(ctx: DatagramContext, flow: DestinationFlow, payload: Uint8Array): void {
  const { src, dst } = flow;
  // A flow opened on this node (by a local pod's SOCKS relay, or the host) takes its answer here.
  if (receiveReply(ctx, dst, src, payload)) return;
  // A local pod with no flow of its own (it did not come through a SOCKS relay): a new datagram, as conntrack sees it.
  if (ctx.localPod(src.ip)) return void deliver(ctx, dst.ip, dst.port, src.ip, src.port, payload);
  const client = ctx.options.directory.podByIP(src.ip);
  if (client) return void encapsulate(ctx, client.node, dst, src, payload);
  // No pod: an address behind another VTEP (a host's masqueraded NodePort traffic). flannel
  // programs static FDB entries for Nodes only, so this one is learnt: RFC 7348 §4.1, the
  // destination VTEP maps the frame's inner source MAC to its outer source and answers there.
  if (flow.underlay) return void encapsulateTo(ctx, flow.underlay, dst, src, payload);
  drop(ctx, 'no-route', dst.ip, src.ip, `no pod has address ${src.ip}`);
}

/**
 * Source side: hands a datagram from `from` to local pod `to` to the pod's SOCKS client when it
 * answers a flow the pod opened, reported from the address the pod sent to (reverse NAT of a
 * Service DNAT). False when it answers no flow: the caller treats it as a new datagram.
 */
export function receiveReply(ctx: DatagramContext, from: FlowEnd, to: FlowEnd, payload: Uint8Array): boolean {
  const flow = ctx.sourceFlows.replyTo(from, to);
  if (!flow) return false;
  if (!flow.reply(flow.reported.ip, flow.reported.port, payload)) {
    // The SOCKS association ended (RFC 1928 §7: with its TCP connection): nobody to hand it to.
    ctx.sourceFlows.forget(flow);
    drop(ctx, 'association-closed', from.ip, to.ip, 'the SOCKS UDP association has ended');
    return true;
  }
  ctx.counters.pair(from.ip, to.ip).bytesReceived += payload.length;
  return true;
}
