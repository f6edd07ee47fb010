import { allocateAddresses, ClaimIpamBackend, type ClaimStore, parseIpamConfig, releaseAddresses } from '@kemu/cni';
import type { Node, Pod } from '@kemu/core';
import type { PodIPAllocator } from '../lab/hooks.js';

/** The CNI attachment of a pod: CNI keys IPAM state by container ID and ifname. */
function attachmentOf(pod: Pod): { containerID: string; ifname: string } {
  return { containerID: pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`, ifname: 'eth0' };
}

/** The node's first pod CIDR (10.244.0.0/24 when it has none, as the lab's default allocator). */
function podCIDROf(node: Node): string {
  return node.spec?.podCIDR ?? node.spec?.podCIDRs?.[0] ?? '10.244.0.0/24';
}

/**
 * Pod IPs from @kemu/cni's host-local IPAM, one network per node over the node's podCIDR.
 * Reservations are store claims, so two lab processes sharing a (Redis) store never hand out one IP.
 */
export function createCniAllocator(store: ClaimStore): PodIPAllocator {
  // One backend per node: it keeps host-local's round-robin cursor for that node's range.
  const backends = new Map<string, ClaimIpamBackend>();
  const backendOf = (node: Node) => {
    const key = `pods-${node.metadata.name}`;
    let backend = backends.get(key);
    if (!backend) {
      backend = new ClaimIpamBackend(store, key);
      backends.set(key, backend);
    }
    return backend;
  };
  return {
    async allocate(node, pod) {
      const backend = backendOf(node);
      const who = attachmentOf(pod);
      // The lab may ask again for the same pod: hand back what it holds (host-local would refuse).
      const [held] = await backend.getByID(who.containerID, who.ifname, 0);
      if (held) return held.toString();
      const config = parseIpamConfig({
        name: `pods-${node.metadata.name}`,
        cniVersion: '1.0.0',
        ipam: { ranges: [[{ subnet: podCIDROf(node) }]] },
      });
      const [allocation] = await allocateAddresses(config, backend, who);
      return allocation!.ip.toString();
    },
    async release(node, pod) {
      await releaseAddresses(backendOf(node), attachmentOf(pod));
    },
  };
}
