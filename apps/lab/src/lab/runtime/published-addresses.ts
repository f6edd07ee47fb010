import type { Pod } from '@kemu/core';
import type { PodAddressBook, PodPortBinding } from '../hooks.js';
import type { InformerFactory } from '../informer.js';
import type { PodAddressRegistry } from './address-book.js';
import { readPodNetwork } from './pod-network-annotation.js';

interface Published {
  podIP: string;
  bindings: readonly PodPortBinding[];
}

/** Which pod has an address, and where it runs. */
export interface PodIdentity {
  namespace: string;
  name: string;
  node: string;
}

/**
 * The address book of a whole lab: pods this process runs (its registry, current the moment a
 * pod attaches) and pods other processes run, from the `kemu.dev/pod-network` annotation their
 * agents publish. What the control plane's ingress and NodePorts resolve endpoints with when the
 * node agents are separate processes.
 */
export class LabAddressBook implements PodAddressBook {
  private readonly byAddress = new Map<string, PodPortBinding>();
  private readonly byPod = new Map<string, Published>();
  private readonly byIP = new Map<string, PodIdentity>();

  constructor(private readonly local: PodAddressRegistry) {}

  /** Follows the pods' published addresses. */
  follow(informers: InformerFactory): void {
    informers.for<Pod>('Pod').on((type, pod, previous) => {
      const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
      this.forget(key);
      const before = previous?.status?.podIP;
      if (before && this.byIP.get(before)?.name === pod.metadata.name) this.byIP.delete(before);
      if (type === 'DELETED') return;
      if (pod.status?.podIP && pod.spec.nodeName)
        this.byIP.set(pod.status.podIP, {
          namespace: pod.metadata.namespace ?? 'default',
          name: pod.metadata.name,
          node: pod.spec.nodeName,
        });
      const network = readPodNetwork(pod);
      const podIP = pod.status?.podIP;
      const phase = pod.status?.phase;
      if (!network || !podIP || phase === 'Succeeded' || phase === 'Failed') return;
      this.byPod.set(key, { podIP, bindings: network.ports });
      for (const b of network.ports) this.byAddress.set(`${podIP}|${b.containerPort}|${b.protocol}`, b);
    });
  }

  resolve(podIP: string, port: number, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP'): PodPortBinding | undefined {
    return this.local.resolve(podIP, port, protocol) ?? this.byAddress.get(`${podIP}|${port}|${protocol}`);
  }

  /** The pod that has `podIP`, as the store last said. */
  podAt(podIP: string): PodIdentity | undefined {
    return this.byIP.get(podIP);
  }

  bindingsOf(namespace: string, name: string): readonly PodPortBinding[] {
    const local = this.local.bindingsOf(namespace, name);
    return local.length > 0 ? local : (this.byPod.get(`${namespace}/${name}`)?.bindings ?? []);
  }

  private forget(key: string): void {
    const entry = this.byPod.get(key);
    if (!entry) return;
    this.byPod.delete(key);
    for (const b of entry.bindings) {
      const address = `${entry.podIP}|${b.containerPort}|${b.protocol}`;
      if (this.byAddress.get(address) === b) this.byAddress.delete(address);
    }
  }
}
