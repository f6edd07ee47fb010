// Per-node pod CIDRs, as kube-controller-manager's range allocator assigns them
// (--allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size: /24 IPv4, /64 IPv6 by default).
import { type CIDR, type IPFamily, tryParseCIDR } from '@kemu/core';
import { ClusterCidrError } from '../errors.js';

/** Default `--node-cidr-mask-size` per family (kube-controller-manager). */
export const defaultNodeMaskSize: Record<IPFamily, number> = { IPv4: 24, IPv6: 64 };

/** Options of {@link assignPodCIDRs}. */
export interface PodCidrOptions {
  /** One cluster CIDR, or one per family for dual-stack (`10.244.0.0/16,fd00:10:244::/56`). */
  clusterCIDRs: readonly string[];
  /** Mask sizes per family; defaults /24 and /64. */
  nodeMaskSize?: Partial<Record<IPFamily, number>>;
}

/**
 * Assigns each node, in the order given, the next free subnet of every cluster CIDR — the
 * node's `spec.podCIDRs` (primary family first). Nodes that already carry podCIDRs keep them.
 * @example assignPodCIDRs(['a','b'], {clusterCIDRs:['10.244.0.0/16']}).get('b') // ['10.244.1.0/24']
 */
export function assignPodCIDRs(
  nodes: readonly (string | { name: string; podCIDRs?: readonly string[] })[],
  options: PodCidrOptions,
): Map<string, string[]> {
  const clusters = options.clusterCIDRs.map((text) => {
    const cidr = tryParseCIDR(text, { strict: true });
    if (typeof cidr === 'string') throw new ClusterCidrError(`cluster CIDR "${text}" ${cidr}`);
    return cidr;
  });
  if (clusters.length === 0 || clusters.length > 2) {
    throw new ClusterCidrError(`expected one cluster CIDR or two (one per family), got ${clusters.length}`);
  }
  if (clusters.length === 2 && clusters[0]!.family === clusters[1]!.family) {
    throw new ClusterCidrError('dual-stack cluster CIDRs must be one IPv4 and one IPv6 block');
  }
  const masks = clusters.map((c) => {
    const mask = options.nodeMaskSize?.[c.family] ?? defaultNodeMaskSize[c.family];
    if (!Number.isInteger(mask) || mask < c.prefixLength || mask > c.network.bits) {
      throw new ClusterCidrError(`node mask size /${mask} does not fit cluster CIDR ${c}`);
    }
    return mask;
  });
  const used = clusters.map(() => new Set<string>());
  const out = new Map<string, string[]>();
  const fresh: string[] = [];
  for (const node of nodes) {
    const name = typeof node === 'string' ? node : node.name;
    const existing = typeof node === 'string' ? undefined : node.podCIDRs;
    if (existing && existing.length > 0) {
      out.set(name, [...existing]);
      for (const text of existing) for (const set of used) set.add(text);
    } else fresh.push(name);
  }
  const next = clusters.map(() => 0n);
  for (const name of fresh) {
    out.set(
      name,
      clusters.map((cluster, i) => nextFree(cluster, masks[i]!, used[i]!, next, i)),
    );
  }
  return out;
}

function nextFree(cluster: CIDR, mask: number, used: Set<string>, next: bigint[], i: number): string {
  const count = cluster.subnetCount(mask);
  while (next[i]! < count) {
    const subnet = cluster.subnet(mask, next[i]!).toString();
    next[i] = next[i]! + 1n;
    if (!used.has(subnet)) {
      used.add(subnet);
      return subnet;
    }
  }
  throw new ClusterCidrError(`cluster CIDR ${cluster} has no free /${mask} left for another node`);
}
