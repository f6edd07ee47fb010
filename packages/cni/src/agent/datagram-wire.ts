// What the datagram path shares: its context, VXLAN encapsulation to a peer agent, counted drops.
import type { Socket as UdpSocket } from 'node:dgram';
import { parseIP } from '@kemu/core';
import { parseMac } from '../overlay/vtep.js';
import { encodeVxlan } from '../vxlan/encode.js';
import type { AgentCounters } from './counters.js';
import type { DestinationFlows } from './destination-flows.js';
import type { FlowEnd, SourceFlows } from './source-flows.js';
import type { AgentEndpoint, NodeAgentOptions, PodRegistration } from './types.js';

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
  /** Flows our pods opened (reply delivery, reverse NAT). */
  sourceFlows: SourceFlows;
  /** Flows towards our pods (one socket each). */
  destinationFlows: DestinationFlows;
}

/** Where a VTEP receives VXLAN frames: its underlay address and port, and its MAC. */
export type VtepAddress = Pick<AgentEndpoint, 'address' | 'vxlanPort' | 'vtepMac'>;

/**
 * Puts one datagram from `src` to `dst` in a real VXLAN frame (RFC 7348) to the agent of node
 * `node`, counting it on the pair `src.ip->dst.ip` (datagrams, bytes sent) and the node.
 */
export function encapsulate(
  ctx: DatagramContext,
  node: string,
  src: FlowEnd,
  dst: FlowEnd,
  payload: Uint8Array,
): DatagramOutcome {
  const peer = ctx.options.directory.agent(node);
  if (!peer) return drop(ctx, 'no-agent', src.ip, dst.ip, `node ${node} has no agent`);
  return encapsulateTo(ctx, peer, src, dst, payload);
}

/** {@link encapsulate} to a VTEP known by its address (one the agent learnt from a frame it received). */
export function encapsulateTo(
  ctx: DatagramContext,
  peer: VtepAddress,
  src: FlowEnd,
  dst: FlowEnd,
  payload: Uint8Array,
): DatagramOutcome {
  const encoded = encodeVxlan(
    ctx.options.vni ?? 1,
    {
      srcMac: ctx.mac,
      dstMac: parseMac(peer.vtepMac),
      src: parseIP(src.ip).toBytes(),
      dst: parseIP(dst.ip).toBytes(),
      transport: { protocol: 'UDP', srcPort: src.port, dstPort: dst.port },
      payload,
    },
    { mtu: ctx.options.mtu ?? 1450 },
  );
  if (!encoded.ok) return drop(ctx, 'oversize', src.ip, dst.ip, encoded.detail);
  ctx.udp.send(encoded.bytes, peer.vxlanPort, peer.address);
  const pair = ctx.counters.pair(src.ip, dst.ip);
  pair.datagrams++;
  pair.bytesSent += payload.length;
  ctx.counters.node.datagrams++;
  return { ok: true };
}

/** Counts a drop by reason (node and pair) and says why. */
export function drop(ctx: DatagramContext, reason: string, src: string, dst: string, detail: string): DatagramOutcome {
  ctx.counters.drop(reason, src, dst);
  return { ok: false, reason: detail };
}
