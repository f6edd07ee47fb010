// Delivery of a new datagram to a local pod: ingress policy, then the pod's real socket through
// the flow's own socket (destination-flows.ts), so that the pod's answer can find its way back.
import { type DatagramContext, type DatagramOutcome, drop, type VtepAddress } from './datagram-wire.js';
import { asPolicyPod } from './policy-pod.js';

/**
 * Hands a datagram from `srcIP:srcPort` to local pod `dstIP:dstPort`, judging ingress policy;
 * `underlay` is the VTEP it arrived from (none when it was sent on this node).
 */
export function deliver(
  ctx: DatagramContext,
  srcIP: string,
  srcPort: number,
  dstIP: string,
  dstPort: number,
  payload: Uint8Array,
  underlay?: VtepAddress,
): DatagramOutcome {
  const dst = ctx.localPod(dstIP);
  if (!dst) return drop(ctx, 'no-pod', srcIP, dstIP, `no pod ${dstIP} on node ${ctx.options.node}`);
  const src = ctx.options.directory.podByIP(srcIP);
  const verdict = ctx.options
    .policy()
    .verdict(src ? asPolicyPod(src) : srcIP, asPolicyPod(dst), { port: dstPort, protocol: 'UDP' });
  if (!verdict.ingress.allowed) return drop(ctx, 'policy-ingress', srcIP, dstIP, verdict.ingress.reason);
  const real = dst.udp?.[dstPort];
  if (!real) return drop(ctx, 'port-unreachable', srcIP, dstIP, `pod does not listen on UDP ${dstPort}`);
  ctx.destinationFlows.send({ src: { ip: srcIP, port: srcPort }, dst: { ip: dstIP, port: dstPort }, underlay }, real, payload);
  ctx.counters.pair(srcIP, dstIP).bytesReceived += payload.length;
  return { ok: true };
}
