import type { KubernetesObject } from '@kemu/core';

/** The namespace of node heartbeats (kube-node-lease), as upstream. */
export const nodeLeaseNamespace = 'kube-node-lease';

/** A coordination.k8s.io/v1 Lease: how a node agent heartbeats (one per node, named after it). */
export interface Lease extends KubernetesObject {
  kind: 'Lease';
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
  };
}

/** A MicroTime as the API server writes it (RFC 3339 with microseconds). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}
