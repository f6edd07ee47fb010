// The datagram path of a node agent: UDP between pods as real RFC 7348 VXLAN frames over UDP,
// NetworkPolicy at egress (sender's agent) and ingress (receiver's agent), drops counted by reason.
import type { Socket as UdpSocket } from 'node:dgram';
import { ipFromBytes, parseIP } from '@kemu/core';
import { parseMac } from '../overlay/vtep.js';
import { decodeVxlan } from '../vxlan/decode.js';
import { encodeVxlan } from '../vxlan/encode.js';
import type { AgentCounters } from './counters.js';
import { asPolicyPod } from './policy-pod.js';
import type { NodeAgentOptions, PodRegistration } from './types.js';

/** The result of sending a datagram. */
export type DatagramOutcome = { ok: true } | { ok: false; reason: string };

/** What the datagram path needs from its agent. */
export interface DatagramContext {
  options: NodeAgentOptions;
  counters: AgentCounters;
  udp: UdpSocket;
  /** This agent's VTEP MAC. */
  mac: Uint8Array;
  /** A pod of this node by IP. */
  localPod(ip: string): PodRegistration | undefined;
}

/**
 * Sends a UDP datagram from a local pod: egress policy, then a real VXLAN frame (RFC 7348) to
 * the destination agent's VXLAN port, or straight to the pod when it is on this node.
 */
export function sendDatagram(
  ctx: DatagramContext,
  srcIP: string,
  srcPort: number,
  host: string,
  port: number,
  payload: Uint8Array,
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
  if (dst.node === ctx.options.node) return deliver(ctx, srcIP, dstIP, dstPort, payload);
  const peer = ctx.options.directory.agent(dst.node);
  if (!peer) return drop(ctx, 'no-agent', srcIP, dstIP, `node ${dst.node} has no agent`);
  const encoded = encodeVxlan(
    ctx.options.vni ?? 1,
    {
      srcMac: ctx.mac,
      dstMac: parseMac(peer.vtepMac),
      src: parseIP(srcIP).toBytes(),
      dst: parseIP(dstIP).toBytes(),
      transport: { protocol: 'UDP', srcPort, dstPort },
      payload,
    },
    { mtu: ctx.options.mtu ?? 1450 },
  );
  if (!encoded.ok) return drop(ctx, 'oversize', srcIP, dstIP, encoded.detail);
  ctx.udp.send(encoded.bytes, peer.vxlanPort, peer.address);
  const pair = ctx.counters.pair(srcIP, dstIP);
  pair.datagrams++;
  pair.bytesSent += payload.length;
  ctx.counters.node.datagrams++;
  return { ok: true };
}

/** Handles a datagram on the VXLAN socket: decode, VNI check, ingress policy, delivery. */
export function receiveVxlan(ctx: DatagramContext, msg: Uint8Array): void {
  const decoded = decodeVxlan(msg);
  if (!decoded.ok) return void ctx.counters.drop(`vxlan-${decoded.reason}`);
  const { vni, packet } = decoded.frame;
  // RFC 7348 §4: the decapsulating VTEP drops frames of VNIs it does not serve.
  if (vni !== (ctx.options.vni ?? 1)) return void ctx.counters.drop('unknown-vni');
  if (packet.transport.protocol !== 'UDP') return void ctx.counters.drop('not-udp');
  const srcIP = ipString(packet.src);
  const dstIP = ipString(packet.dst);
  deliver(ctx, srcIP, dstIP, packet.transport.dstPort, packet.payload);
}

function deliver(ctx: DatagramContext, srcIP: string, dstIP: string, dstPort: number, payload: Uint8Array): DatagramOutcome {
  const dst = ctx.localPod(dstIP);
  if (!dst) return drop(ctx, 'no-pod', srcIP, dstIP, `no pod ${dstIP} on node ${ctx.options.node}`);
  const src = ctx.options.directory.podByIP(srcIP);
  const verdict = ctx.options
    .policy()
    .verdict(src ? asPolicyPod(src) : srcIP, asPolicyPod(dst), { port: dstPort, protocol: 'UDP' });
  if (!verdict.ingress.allowed) return drop(ctx, 'policy-ingress', srcIP, dstIP, verdict.ingress.reason);
  const real = dst.udp?.[dstPort];
  if (!real) return drop(ctx, 'port-unreachable', srcIP, dstIP, `pod does not listen on UDP ${dstPort}`);
  ctx.udp.send(payload, real.port, real.host);
  ctx.counters.pair(srcIP, dstIP).bytesReceived += payload.length;
  return { ok: true };
}

function drop(ctx: DatagramContext, reason: string, src: string, dst: string, detail: string): DatagramOutcome {
  ctx.counters.drop(reason, src, dst);
  return { ok: false, reason: detail };
}

function ipString(bytes: Uint8Array): string {
  return ipFromBytes(bytes).toString();
}
