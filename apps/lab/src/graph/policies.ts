import { type KubernetesObject, type LabelSelector, labelSelector, ofKind } from '@kemu/core';
import type { Selectable } from './boxes.js';
import type { GraphEdge } from './topology.js';

/**
 * A dotted arrow, named for the policy, from each workload (or standalone pod) an ingress rule's
 * podSelector allows to each one the policy selects, in the policy's namespace. Peers chosen by
 * namespaceSelector or ipBlock have no box to start from and are left out.
 */
export function addPolicies(objects: readonly KubernetesObject[], workloads: readonly Selectable[], edges: GraphEdge[]): void {
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    const selected = (selector: LabelSelector | undefined) =>
      workloads.filter((w) => w.namespace === policy.metadata.namespace && labelSelector(selector).matches(w.labels));
    const targets = selected(policy.spec.podSelector);
    for (const rule of policy.spec.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        if (!peer.podSelector || peer.namespaceSelector || peer.ipBlock) continue;
        for (const source of selected(peer.podSelector)) {
          for (const target of targets)
            edges.push({ from: source.node.id, to: target.node.id, style: 'policy', label: policy.metadata.name });
        }
      }
    }
  }
}
