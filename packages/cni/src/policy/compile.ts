// Compiles networking.k8s.io/v1 NetworkPolicies once: selectors to Selector objects, CIDRs to
// numbers, ports checked as the API server's validation does (pkg/apis/networking/validation).
import {
  type CIDR,
  checkPortName,
  labelSelector,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type Protocol,
  type Selector,
  tryParseCIDR,
} from '@kemu/core';
import { PolicyError } from '../errors.js';

/** A compiled peer: exactly one of the three shapes. */
export type CompiledPeer =
  | { kind: 'pods'; podSelector?: Selector; namespaceSelector?: Selector }
  | { kind: 'ipBlock'; cidr: CIDR; except: CIDR[] };

/** A compiled port entry. */
export interface CompiledPort {
  protocol: Protocol;
  /** Missing: every port of the protocol. */
  port?: number | string;
  endPort?: number;
}

/** A compiled rule: empty `peers`/`ports` mean "any". */
export interface CompiledRule {
  peers: CompiledPeer[];
  ports: CompiledPort[];
}

/** A compiled policy. */
export interface CompiledPolicy {
  id: string;
  namespace: string;
  podSelector: Selector;
  ingress?: CompiledRule[];
  egress?: CompiledRule[];
}

const protocols = new Set(['TCP', 'UDP', 'SCTP']);

/** Compiles one policy; throws {@link PolicyError} naming the field. */
export function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  const namespace = policy.metadata.namespace ?? 'default';
  const id = `${namespace}/${policy.metadata.name}`;
  const spec = policy.spec ?? { podSelector: {} };
  const sel = (s: Parameters<typeof labelSelector>[0], path: string) => {
    try {
      return labelSelector(s);
    } catch (err) {
      throw new PolicyError(id, path, (err as Error).message);
    }
  };
  // Effective policyTypes: Ingress always, Egress when egress rules exist (types.go PolicyTypes doc).
  const types = spec.policyTypes ?? (spec.egress && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress')
      throw new PolicyError(id, `spec.policyTypes[${i}]`, `unsupported value "${t}": supported values are "Ingress", "Egress"`);
  });
  const rules = (
    list: { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[] | undefined,
    dir: 'ingress' | 'egress',
  ) =>
    (list ?? []).map((r, i): CompiledRule => {
      const peers = (dir === 'ingress' ? r.from : r.to) ?? [];
      const field = dir === 'ingress' ? 'from' : 'to';
      return {
        peers: peers.map((p, j) => compilePeer(p, id, `spec.${dir}[${i}].${field}[${j}]`, sel)),
        ports: (r.ports ?? []).map((p, j) => compilePort(p, id, `spec.${dir}[${i}].ports[${j}]`)),
      };
    });
  return {
    id,
    namespace,
    podSelector: sel(spec.podSelector ?? {}, 'spec.podSelector'),
    ...(types.includes('Ingress') ? { ingress: rules(spec.ingress, 'ingress') } : {}),
    ...(types.includes('Egress') ? { egress: rules(spec.egress, 'egress') } : {}),
  };
}

function compilePeer(
  peer: NetworkPolicyPeer,
  id: string,
  path: string,
  sel: (s: Parameters<typeof labelSelector>[0], path: string) => Selector,
): CompiledPeer {
  const count = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((x) => x !== undefined).length;
  if (count === 0) throw new PolicyError(id, path, 'must specify a peer (podSelector, namespaceSelector or ipBlock)');
  if (peer.ipBlock) {
    if (count > 1) throw new PolicyError(id, path, 'may not specify both ipBlock and another peer');
    const cidr = parseBlock(peer.ipBlock.cidr, id, `${path}.ipBlock.cidr`);
    const except = (peer.ipBlock.except ?? []).map((text, k) => {
      const c = parseBlock(text, id, `${path}.ipBlock.except[${k}]`);
      // validation.go: "must be a strict subset of `cidr`".
      if (!cidr.containsCIDR(c) || c.prefixLength <= cidr.prefixLength) {
        throw new PolicyError(
          id,
          `${path}.ipBlock.except[${k}]`,
          `"${text}" must be a strict subset of cidr ${peer.ipBlock!.cidr}`,
        );
      }
      return c;
    });
    return { kind: 'ipBlock', cidr, except };
  }
  return {
    kind: 'pods',
    ...(peer.podSelector ? { podSelector: sel(peer.podSelector, `${path}.podSelector`) } : {}),
    ...(peer.namespaceSelector ? { namespaceSelector: sel(peer.namespaceSelector, `${path}.namespaceSelector`) } : {}),
  };
}

function parseBlock(text: string, id: string, path: string): CIDR {
  const c = tryParseCIDR(String(text));
  if (typeof c === 'string') throw new PolicyError(id, path, `"${text}" ${c}`);
  return c;
}

function compilePort(p: NetworkPolicyPort, id: string, path: string): CompiledPort {
  const protocol = p.protocol ?? 'TCP';
  if (!protocols.has(protocol))
    throw new PolicyError(id, `${path}.protocol`, `unsupported value "${protocol}": supported values are "TCP", "UDP", "SCTP"`);
  const out: CompiledPort = { protocol };
  if (p.port !== undefined) {
    if (typeof p.port === 'number') {
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
        throw new PolicyError(id, `${path}.port`, `${p.port} must be between 1 and 65535, inclusive`);
    } else {
      const problems = checkPortName(p.port);
      if (problems.length > 0) throw new PolicyError(id, `${path}.port`, `"${p.port}": ${problems.join('; ')}`);
    }
    out.port = p.port;
  }
  if (p.endPort !== undefined) {
    if (typeof p.port !== 'number')
      throw new PolicyError(id, `${path}.endPort`, 'may not be specified when port is not a number');
    if (!Number.isInteger(p.endPort) || p.endPort < p.port || p.endPort > 65535) {
      throw new PolicyError(id, `${path}.endPort`, `${p.endPort} must be between port ${p.port} and 65535`);
    }
    out.endPort = p.endPort;
  }
  return out;
}
