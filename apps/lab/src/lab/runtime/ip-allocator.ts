import { type CIDR, type Node, type Pod, parseCIDR, type Store } from '@kemu/core';
import { PodIPExhaustedError } from '../errors.js';
import type { PodIPAllocator } from '../hooks.js';

/**
 * The default pod IP allocator: per node, the next free address of the node's podCIDR after the
 * last one handed out (host-local's round-robin), skipping the network address, the gateway
 * (`.1`) and the broadcast address. Each address is a store claim, so two agents sharing a Redis
 * store never hand out one IP twice. @kemu/cni's IPAM replaces it in a full lab.
 */
export class NodeCIDRAllocator implements PodIPAllocator {
  private readonly last = new Map<string, bigint>();

  constructor(private readonly store: Store) {}

  async allocate(node: Node, pod: Pod): Promise<string> {
    const cidr = podCIDROf(node);
    const holder = holderOf(pod);
    const prefix = `kemu/ipam/${cidr.toString()}/`;
    for (const [key, owner] of await this.store.claims(prefix)) if (owner === holder) return key.slice(prefix.length);
    // Usable offsets: 2 … size-2 (network, gateway and broadcast excluded).
    const usable = cidr.size - 3n;
    if (usable <= 0n) throw new PodIPExhaustedError(node.metadata.name, cidr.toString());
    const start = this.last.get(cidr.toString()) ?? 1n;
    for (let i = 1n; i <= usable; i++) {
      const offset = ((start - 2n + i) % usable) + 2n;
      const ip = cidr.at(offset).toString();
      const result = await this.store.claim(prefix + ip, holder);
      if (result.claimed) {
        this.last.set(cidr.toString(), offset);
        return ip;
      }
    }
    throw new PodIPExhaustedError(node.metadata.name, cidr.toString());
  }

  async release(node: Node, pod: Pod): Promise<void> {
    const ip = pod.status?.podIP;
    if (!ip) return;
    await this.store.release(`kemu/ipam/${podCIDROf(node).toString()}/${ip}`, holderOf(pod));
  }
}

function holderOf(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/** The node's first pod CIDR (10.244.0.0/24 when the node has none). */
export function podCIDROf(node: Node): CIDR {
  const text = node.spec?.podCIDR ?? node.spec?.podCIDRs?.[0];
  return parseCIDR(text ?? '10.244.0.0/24');
}
