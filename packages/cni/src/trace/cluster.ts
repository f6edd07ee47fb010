// A cluster as the model sees it: nodes with leases, pods with addresses (status.podIP, else the
// address host-local would give them on their node), namespaces and compiled policies.
import type { Namespace, NetworkPolicy, Node, Pod } from '@kemu/core';
import { UnknownPodError } from '../errors.js';
import { parseIpamConfig } from '../ipam/config.js';
import { RangeIterator } from '../ipam/iterator.js';
import { buildOverlay, type Overlay, type OverlayOptions } from '../overlay/overlay.js';
import { compileNetworkPolicies, type PolicyEngine } from '../policy/engine.js';
import type { PolicyPod } from '../policy/types.js';

/** A pod placed on a node with its address. */
export interface PlacedPod extends PolicyPod {
  node: string;
  ip: string;
}

/** The model of one cluster. */
export interface ClusterModel {
  overlay: Overlay;
  pods: PlacedPod[];
  policy: PolicyEngine;
}

/** Inputs of {@link buildClusterModel}: Kubernetes objects as parsed from manifests. */
export interface ClusterInputs {
  nodes?: readonly Node[];
  pods?: readonly Pod[];
  namespaces?: readonly Namespace[];
  policies?: readonly NetworkPolicy[];
  overlay?: OverlayOptions;
}

/**
 * Builds the model. Nodes get loopback underlay addresses (127.0.0.2, .3, …) unless they list an
 * InternalIP; without Nodes one node `node-1` is assumed. Pods without `spec.nodeName` are spread
 * over the nodes in order; pods without `status.podIP` get host-local's next address on their node.
 */
export function buildClusterModel(inputs: ClusterInputs): ClusterModel {
  const nodes =
    inputs.nodes && inputs.nodes.length > 0
      ? inputs.nodes
      : [{ kind: 'Node', apiVersion: 'v1', metadata: { name: 'node-1' } } as Node];
  const overlay = buildOverlay(
    nodes.map((n, i) => ({
      name: n.metadata.name,
      publicIP: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? `127.0.0.${i + 2}`,
      ...(n.spec?.podCIDRs ? { podCIDRs: n.spec.podCIDRs } : n.spec?.podCIDR ? { podCIDRs: [n.spec.podCIDR] } : {}),
    })),
    inputs.overlay,
  );
  const names = nodes.map((n) => n.metadata.name);
  const taken = new Set((inputs.pods ?? []).map((p) => p.status?.podIP).filter((x): x is string => !!x));
  const cursors = new Map<string, RangeIterator>();
  const next = (node: string): string => {
    let it = cursors.get(node);
    if (!it) {
      const lease = overlay.leases.get(node)!;
      const config = parseIpamConfig({
        name: 'kemu',
        cniVersion: '1.0.0',
        ipam: { ranges: [[{ subnet: lease.subnets[0]!.toString() }]] },
      });
      it = new RangeIterator(config.ranges[0]!);
      cursors.set(node, it);
    }
    for (const c of it) {
      const ip = c.ip.toString();
      if (!taken.has(ip)) {
        taken.add(ip);
        return ip;
      }
    }
    throw new UnknownPodError(`a free address on node ${node}`);
  };
  const pods: PlacedPod[] = (inputs.pods ?? []).map((p, i) => {
    const node = p.spec?.nodeName && names.includes(p.spec.nodeName) ? p.spec.nodeName : names[i % names.length]!;
    const ip = p.status?.podIP ?? next(node);
    return {
      namespace: p.metadata.namespace ?? 'default',
      name: p.metadata.name,
      labels: p.metadata.labels ?? {},
      node,
      ip,
      ips: p.status?.podIPs?.map((x) => x.ip) ?? [ip],
      ports: (p.spec?.containers ?? []).flatMap((c) => c.ports ?? []),
    };
  });
  const policy = compileNetworkPolicies({
    policies: inputs.policies ?? [],
    namespaces: (inputs.namespaces ?? []).map((n) => ({ name: n.metadata.name, labels: n.metadata.labels ?? {} })),
    pods,
  });
  return { overlay, pods, policy };
}

/** Finds a pod by `namespace/name` (or `name` in `default`) or by IP; throws {@link UnknownPodError}. */
export function findPod(model: ClusterModel, ref: string): PlacedPod | undefined {
  if (ref.includes('/')) {
    const [ns, name] = ref.split('/', 2) as [string, string];
    return model.pods.find((p) => p.namespace === ns && p.name === name);
  }
  return (
    model.pods.find((p) => p.ip === ref || p.ips?.includes(ref)) ??
    model.pods.find((p) => p.namespace === 'default' && p.name === ref)
  );
}
