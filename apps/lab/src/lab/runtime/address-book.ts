import type { Pod } from '@kemu/core';
import type { PodAddressBook, PodPortBinding } from '../hooks.js';

/** The real ports of every running pod of this process, by pod IP and by name. */
export class PodAddressRegistry implements PodAddressBook {
  private readonly byAddress = new Map<string, PodPortBinding>();
  private readonly byPod = new Map<string, { uid?: string; podIP: string; bindings: readonly PodPortBinding[] }>();

  resolve(podIP: string, port: number, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP'): PodPortBinding | undefined {
    return this.byAddress.get(`${podIP}|${port}|${protocol}`);
  }

  bindingsOf(namespace: string, name: string): readonly PodPortBinding[] {
    return this.byPod.get(`${namespace}/${name}`)?.bindings ?? [];
  }

  /** Records a pod's bindings under its IP. */
  register(pod: Pod, podIP: string, bindings: readonly PodPortBinding[]): void {
    this.unregister(pod, true);
    this.byPod.set(podKey(pod), { uid: pod.metadata.uid, podIP, bindings });
    for (const b of bindings) this.byAddress.set(`${podIP}|${b.containerPort}|${b.protocol}`, b);
  }

  /** Forgets a pod (only that incarnation: a StatefulSet's new pod of the same name stays). */
  unregister(pod: Pod, anyUid = false): void {
    const entry = this.byPod.get(podKey(pod));
    if (!entry || (!anyUid && entry.uid !== pod.metadata.uid)) return;
    this.byPod.delete(podKey(pod));
    for (const b of entry.bindings) {
      const key = `${entry.podIP}|${b.containerPort}|${b.protocol}`;
      if (this.byAddress.get(key) === b) this.byAddress.delete(key);
    }
  }
}

function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}
