// Evaluates compiled NetworkPolicies (reference §5.1): a connection is allowed when the source's
// egress side and the destination's ingress side both allow it; an unselected side allows all.
import { type Labels, type NetworkPolicy, type Protocol, tryParseIP } from '@kemu/core';
import { type CompiledPolicy, type CompiledRule, compilePolicy } from './compile.js';
import { matchRule } from './match.js';
import type { Flow, PolicyNamespace, PolicyPod, PolicyVerdict } from './types.js';
import { Direction, type PodFacts, type Resolved, Verdict } from './verdict.js';

/** An endpoint: a known pod, or a bare address (outside the cluster or not a pod). */
export type PolicyEndpoint = PolicyPod | string;

const protocolIndex: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };
/** Verdicts memoised per pod pair before the memo is reset (bounds memory on huge sweeps). */
const memoLimit = 4096;

/** Inputs of {@link compileNetworkPolicies}. */
export interface PolicyInputs {
  policies: readonly NetworkPolicy[];
  namespaces?: readonly PolicyNamespace[];
  pods?: readonly PolicyPod[];
}

/**
 * NetworkPolicies compiled once for fast, explained verdicts. Label or policy changes: compile
 * again (policies apply to new connections at once).
 * @example compileNetworkPolicies({policies, pods}).verdict(web, db, {port: 5432}).allowed
 */
export class PolicyEngine {
  private readonly byNamespace = new Map<string, CompiledPolicy[]>();
  private readonly nsLabels = new Map<string, Labels>();
  private readonly facts = new Map<string, PodFacts>();
  private readonly byObject = new WeakMap<PolicyPod, PodFacts>();
  private readonly byIP = new Map<string, PolicyPod>();

  constructor(inputs: PolicyInputs) {
    for (const p of inputs.policies) {
      const c = compilePolicy(p);
      const list = this.byNamespace.get(c.namespace) ?? [];
      list.push(c);
      this.byNamespace.set(c.namespace, list);
    }
    for (const ns of inputs.namespaces ?? []) {
      // Every namespace carries kubernetes.io/metadata.name (NamespaceDefaultLabelName, 1.21+).
      this.nsLabels.set(ns.name, { ...ns.labels, 'kubernetes.io/metadata.name': ns.name });
    }
    for (const pod of inputs.pods ?? []) {
      const f = this.factsOf(pod);
      this.facts.set(`${pod.namespace}/${pod.name}`, f);
      this.byObject.set(pod, f);
      for (const ip of pod.ips ?? []) this.byIP.set(ip, pod);
    }
  }

  /** The pod that has this IP, if known. */
  podByIP(ip: string): PolicyPod | undefined {
    return this.byIP.get(ip);
  }

  /** The pod `namespace/name`, if known. */
  pod(namespace: string, name: string): PolicyPod | undefined {
    return this.facts.get(`${namespace}/${name}`)?.pod;
  }

  /** Policies (ids) selecting the pod, per direction. */
  selecting(pod: PolicyPod): { ingress: string[]; egress: string[] } {
    const f = this.lookup(pod);
    return { ingress: f.ingress.map((p) => p.id), egress: f.egress.map((p) => p.id) };
  }

  /** Judges a connection start from `src` to `dst`; bare addresses that are pod IPs count as those pods. */
  verdict(src: PolicyEndpoint, dst: PolicyEndpoint, flow: Flow): PolicyVerdict {
    const protocol = flow.protocol ?? 'TCP';
    const s = this.resolve(src);
    const d = this.resolve(dst);
    const egress =
      s.facts === undefined
        ? new Direction('egress', s, d, flow.port, protocol)
        : this.direction('egress', s.facts, s.facts.egress, s, d, flow.port, protocol);
    const ingress =
      d.facts === undefined
        ? new Direction('ingress', d, s, flow.port, protocol)
        : this.direction('ingress', d.facts, d.facts.ingress, d, s, flow.port, protocol);
    return new Verdict(egress, ingress);
  }

  private direction(
    dir: 'ingress' | 'egress',
    self: PodFacts,
    selecting: CompiledPolicy[],
    selfEnd: Resolved,
    peer: Resolved,
    port: number,
    protocol: Protocol,
  ): Direction {
    if (selecting.length === 0) return new Direction(dir, selfEnd, peer, port, protocol);
    // Policies and labels are fixed for this engine and these pod objects, so a verdict between
    // two known pods on one port is a pure function: memoise it (ipBlock peers need the address,
    // so pairs given as addresses are not memoised).
    const peerFacts = peer.address === undefined ? peer.facts : undefined;
    let memo: Map<number, Direction> | undefined;
    const key = port * 4 + protocolIndex[protocol];
    if (peerFacts) {
      memo = self.memo[dir].get(peerFacts);
      const hit = memo?.get(key);
      if (hit) return hit;
      if (!memo) {
        memo = new Map();
        self.memo[dir].set(peerFacts, memo);
      } else if (memo.size >= memoLimit) memo.clear();
    }
    const result = this.judge(dir, self, selecting, selfEnd, peer, port, protocol);
    memo?.set(key, result);
    return result;
  }

  private judge(
    dir: 'ingress' | 'egress',
    self: PodFacts,
    selecting: CompiledPolicy[],
    selfEnd: Resolved,
    peer: Resolved,
    port: number,
    protocol: Protocol,
  ): Direction {
    // The receiving end resolves named ports: the selected pod for ingress, the destination for egress.
    const receiver = dir === 'ingress' ? self.pod : peer.facts?.pod;
    for (const p of selecting) {
      const rules = (dir === 'ingress' ? p.ingress : p.egress) as CompiledRule[];
      for (let r = 0; r < rules.length; r++) {
        const m = matchRule(rules[r]!, p, peer, port, protocol, receiver, this);
        if (m) return new Direction(dir, selfEnd, peer, port, protocol, selecting, { policy: p.id, rule: r, ...m });
      }
    }
    return new Direction(dir, selfEnd, peer, port, protocol, selecting);
  }

  /** @internal labels of a namespace, with the automatic name label. */
  namespaceLabels(ns: string): Labels {
    let l = this.nsLabels.get(ns);
    if (!l) {
      l = { 'kubernetes.io/metadata.name': ns };
      this.nsLabels.set(ns, l);
    }
    return l;
  }

  private resolve(e: PolicyEndpoint): Resolved {
    if (typeof e === 'string') {
      const pod = this.byIP.get(e);
      return { facts: pod ? this.lookup(pod) : undefined, address: e, ip: tryParseIP(e) };
    }
    const facts = this.lookup(e);
    return { facts, address: undefined, ip: facts.ip };
  }

  /** Facts by object identity (compiled once per pod object; a changed pod is a new object). */
  private lookup(pod: PolicyPod): PodFacts {
    let f = this.byObject.get(pod);
    if (!f) {
      f = this.factsOf(pod);
      this.byObject.set(pod, f);
    }
    return f;
  }

  private factsOf(pod: PolicyPod): PodFacts {
    const candidates = this.byNamespace.get(pod.namespace) ?? [];
    const selected = candidates.filter((p) => p.podSelector.matches(pod.labels));
    return {
      pod,
      nsLabels: this.namespaceLabels(pod.namespace),
      ip: pod.ips?.[0] !== undefined ? tryParseIP(pod.ips[0]) : undefined,
      ingress: selected.filter((p) => p.ingress !== undefined),
      egress: selected.filter((p) => p.egress !== undefined),
      memo: { ingress: new WeakMap(), egress: new WeakMap() },
    };
  }
}

/** Compiles policies (and the pods and namespaces they judge) into a {@link PolicyEngine}. */
export function compileNetworkPolicies(inputs: PolicyInputs): PolicyEngine {
  return new PolicyEngine(inputs);
}
