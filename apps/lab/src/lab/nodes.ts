import type { Node } from '@kemu/core';

/** The node names kind gives workers: `kemu-worker`, `kemu-worker2`, `kemu-worker3`, … */
export function workerName(index: number, prefix = 'kemu'): string {
  return index === 0 ? `${prefix}-worker` : `${prefix}-worker${index + 1}`;
}

/** The zones the lab spreads nodes over, round-robin (a kind cluster has none; kemu labels them for topology). */
export const labZones = ['zone-a', 'zone-b'] as const;

/** The labels a kubelet registers a node with (well-known labels), plus kemu's region and zone. */
export function nodeLabels(name: string, zone: string): Record<string, string> {
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'topology.kubernetes.io/region': 'kemu',
    'topology.kubernetes.io/zone': zone,
  };
}

/**
 * The `index`th node of a lab as kind would register it: hostname/os/arch labels, a zone label,
 * pod CIDR 10.244.<index+1>.0/24 (10.244.0.0/24 is kind's control plane) and a virtual InternalIP
 * in kind's docker network 172.18.0.0/16. Nothing ever connects to these addresses.
 */
export function labNode(index: number, prefix = 'kemu'): Node {
  const name = workerName(index, prefix);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: nodeLabels(name, labZones[index % labZones.length]!) },
    spec: { podCIDR: `10.244.${index + 1}.0/24`, podCIDRs: [`10.244.${index + 1}.0/24`], providerID: `kemu://${name}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: `172.18.0.${index + 2}` },
        { type: 'Hostname', address: name },
      ],
      capacity: { cpu: '8', memory: '16Gi', pods: '110' },
      allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
    },
  };
}

/**
 * Fills what a node registered from a manifest may lack, as a cluster would: a pod CIDR from
 * 10.244.0.0/16 in /24s (kube-controller-manager's nodeipam range allocator; CIDRs other nodes
 * already hold are skipped), and a virtual InternalIP in 172.18.0.0/16.
 */
export function completeNodes(nodes: readonly Node[]): Node[] {
  const taken = new Set(nodes.map((n) => n.spec?.podCIDR ?? n.spec?.podCIDRs?.[0]).filter(Boolean));
  const addresses = new Set(nodes.flatMap((n) => n.status?.addresses?.map((a) => a.address) ?? []));
  let nextCIDR = 1;
  let nextAddress = 2;
  return nodes.map((original) => {
    const node = structuredClone(original);
    node.spec ??= {};
    if (!node.spec.podCIDR && !node.spec.podCIDRs?.length) {
      while (taken.has(`10.244.${nextCIDR}.0/24`)) nextCIDR++;
      const cidr = `10.244.${nextCIDR++}.0/24`;
      taken.add(cidr);
      node.spec.podCIDR = cidr;
      node.spec.podCIDRs = [cidr];
    }
    node.status ??= {};
    node.status.addresses ??= [];
    const list = node.status.addresses;
    if (!list.some((a) => a.type === 'InternalIP')) {
      while (addresses.has(`172.18.0.${nextAddress}`)) nextAddress++;
      const address = `172.18.0.${nextAddress++}`;
      addresses.add(address);
      list.push({ type: 'InternalIP', address });
    }
    return node;
  });
}
