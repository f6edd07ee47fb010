// Rule, peer and port matching (reference §5: rule = peers AND ports; peers and ports are ORed).
import type { Labels, Protocol, Selector } from '@kemu/core';
import type { CompiledPeer, CompiledPolicy, CompiledPort, CompiledRule } from './compile.js';
import type { PolicyPod } from './types.js';
import type { Resolved } from './verdict.js';

/** Where the namespaces' labels come from. */
export interface NamespaceLabels {
  namespaceLabels(ns: string): Labels;
}

/** The peer and port indexes that matched, or undefined when the rule does not allow the traffic. */
export function matchRule(
  rule: CompiledRule,
  policy: CompiledPolicy,
  peer: Resolved,
  port: number,
  protocol: Protocol,
  receiver: PolicyPod | undefined,
  engine: NamespaceLabels,
): { peer?: number; port?: number } | undefined {
  let portIndex: number | undefined;
  if (rule.ports.length > 0) {
    portIndex = rule.ports.findIndex((p) => matchPort(p, port, protocol, receiver));
    if (portIndex < 0) return undefined;
  }
  if (rule.peers.length === 0) return portIndex === undefined ? {} : { port: portIndex };
  for (let i = 0; i < rule.peers.length; i++) {
    if (matchPeer(rule.peers[i]!, policy.namespace, peer, engine)) {
      return portIndex === undefined ? { peer: i } : { peer: i, port: portIndex };
    }
  }
  return undefined;
}

function matchPeer(peer: CompiledPeer, policyNamespace: string, who: Resolved, engine: NamespaceLabels): boolean {
  if (peer.kind === 'ipBlock') {
    const ip = who.ip;
    if (!ip || !peer.cidr.contains(ip)) return false;
    for (const e of peer.except) if (e.contains(ip)) return false;
    return true;
  }
  const f = who.facts;
  if (!f) return false;
  // podSelector alone: the policy's own namespace; with namespaceSelector: AND of both.
  if (peer.namespaceSelector) {
    if (!peer.namespaceSelector.matches(engine.namespaceLabels(f.pod.namespace))) return false;
  } else if (f.pod.namespace !== policyNamespace) return false;
  return peer.podSelector ? (peer.podSelector as Selector).matches(f.pod.labels) : true;
}

function matchPort(p: CompiledPort, port: number, protocol: Protocol, receiver: PolicyPod | undefined): boolean {
  if (p.protocol !== protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'number') return p.endPort === undefined ? port === p.port : port >= p.port && port <= p.endPort;
  // A named port matches only a container port of that name and protocol on the receiving pod.
  return (receiver?.ports ?? []).some(
    (cp) => cp.name === p.port && cp.containerPort === port && (cp.protocol ?? 'TCP') === protocol,
  );
}
