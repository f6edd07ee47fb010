// Names a pod hands its proxies, resolved as the pod's own resolver would before anything else.
// A pod's OS resolver does not know the cluster DNS, so its clients give the proxy the name: the
// HTTP absolute-URI or CONNECT authority, or a SOCKS5 DOMAINNAME (ATYP 03, RFC 1928 §4/§5; e.g.
// curl --socks5-hostname) in a CONNECT request or a UDP ASSOCIATE datagram. Addresses pass as they are.
import net from 'node:net';
import type { AgentCounters } from './counters.js';
import type { DatagramOutcome } from './datagram-wire.js';
import type { Dialer } from './http-proxy.js';
import type { DatagramRelay, DatagramReply } from './socks.js';
import type { NameAnswer, NodeAgentOptions, PodRegistration } from './types.js';

/** What name resolution needs from its agent. */
export interface NameContext {
  readonly options: Pick<NodeAgentOptions, 'node' | 'resolveName'>;
  readonly counters: AgentCounters;
}

/** A destination host made dialable: its address and the hop to report, or why it has none (a drop reason and text). */
export type PodDestination =
  | { ok: true; ip: string; hops: string[] }
  | { ok: false; drop: 'dns-nxdomain' | 'dns-external'; reason: string };

/** Resolves the host a pod gave its proxy; an address is returned as it is, with no hop. */
export function podDestination(ctx: NameContext, pod: PodRegistration, host: string): PodDestination {
  if (net.isIP(host) !== 0) return { ok: true, ip: host, hops: [] };
  const answer = ctx.options.resolveName?.(host, { namespace: pod.namespace, ip: pod.ip });
  return answer ? fromAnswer(host, pod, answer) : unresolved(host, `(no cluster DNS serves node ${ctx.options.node})`);
}

/** The one place a {@link NameAnswer} becomes an address, a drop reason and the pod's error text. */
function fromAnswer(host: string, pod: PodRegistration, answer: NameAnswer): PodDestination {
  const from = `from pod ${pod.namespace}/${pod.name}`;
  switch (answer.kind) {
    case 'address': {
      const canonical = answer.canonical ? ` CNAME ${answer.canonical}` : '';
      return { ok: true, ip: answer.ip, hops: [`dns ${host} -> ${answer.ip} (${answer.name}${canonical})`] };
    }
    case 'external':
      // CoreDNS hands an ExternalName's CNAME to its upstream; the lab has none off loopback.
      return {
        ok: false,
        drop: 'dns-external',
        reason: `${host} ${from} is ${answer.name}, an ExternalName Service for ${answer.externalName} outside the lab; kemu never dials outside loopback`,
      };
    case 'nxdomain':
      return unresolved(
        host,
        answer.noData
          ? `${from}: ${answer.noData} has no address record (NODATA)`
          : `${from} (NXDOMAIN; tried ${answer.tried.join(', ')})`,
      );
  }
}

/** curl's words for a name the resolver cannot answer ("Could not resolve host"). */
function unresolved(host: string, detail: string): PodDestination {
  return { ok: false, drop: 'dns-nxdomain', reason: `could not resolve host ${host} ${detail}` };
}

/** A pod's dialer that resolves a name first: no address answers 502 with the reason, counted as a drop. */
export function dialByName(ctx: NameContext, pod: PodRegistration, dial: Dialer): Dialer {
  return async (host, port, srcPort) => {
    const dst = podDestination(ctx, pod, host);
    if (!dst.ok) {
      ctx.counters.drop(dst.drop);
      return { ok: false, status: 502, reason: dst.reason };
    }
    const outcome = await dial(dst.ip, port, srcPort);
    return dst.hops.length === 0 ? outcome : { ...outcome, hops: [...dst.hops, ...(outcome.hops ?? [])] };
  };
}

/** A pod's datagram relay that resolves a name first: a datagram to no address is dropped and counted. */
export function relayByName(
  ctx: NameContext,
  pod: PodRegistration,
  relay: (ip: string, port: number, srcPort: number, data: Uint8Array, reply: DatagramReply) => DatagramOutcome,
): DatagramRelay {
  return (host, port, srcPort, data, reply) => {
    const dst = podDestination(ctx, pod, host);
    if (dst.ok) return relay(dst.ip, port, srcPort, data, reply);
    ctx.counters.drop(dst.drop);
    return { ok: false, reason: dst.reason } satisfies DatagramOutcome;
  };
}
