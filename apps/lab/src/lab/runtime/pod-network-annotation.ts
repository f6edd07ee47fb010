import type { Pod } from '@kemu/core';
import type { PodPortBinding } from '../hooks.js';

/**
 * The annotation a node agent writes on each pod it runs: where the pod really listens and the
 * proxies its outbound traffic goes through. It is how a process that does not run the pod (the
 * control plane's ingress and NodePorts, `kemu curl --from`, another agent) finds it, the way
 * flannel publishes a node's VTEP in `flannel.alpha.coreos.com/*` annotations.
 */
export const podNetworkAnnotation = 'kemu.dev/pod-network';

/** What {@link podNetworkAnnotation} holds (JSON). */
export interface PodNetworkStatus {
  /** The node whose agent runs the pod. */
  node: string;
  /** The pod's HTTP proxy (its agent's), for requests made from inside the pod's network. */
  httpProxy?: string;
  /** The pod's SOCKS5 proxy. */
  socksProxy?: string;
  /** Each declared port and the real socket behind it. */
  ports: PodPortBinding[];
}

/** The pod's published network status, or undefined when absent or unreadable. */
export function readPodNetwork(pod: Pod): PodNetworkStatus | undefined {
  const text = pod.metadata.annotations?.[podNetworkAnnotation];
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as PodNetworkStatus;
    return typeof value.node === 'string' && Array.isArray(value.ports) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The annotation text for a pod's network status. */
export function formatPodNetwork(status: PodNetworkStatus): string {
  return JSON.stringify(status);
}
