import { type KubernetesObject, ofKind } from '@kemu/core';
import type { Boxes } from './boxes.js';
import type { GraphEdge } from './topology.js';

/**
 * Traffic arrows of the entry points: each Ingress to the Services its rules (and default backend)
 * name, labelled host+path; each Gateway to its HTTPRoutes, and each route to its backends with
 * their weight as a share when a rule splits traffic.
 */
export function addRoutes(objects: readonly KubernetesObject[], boxes: Boxes, edges: GraphEdge[]): void {
  for (const ingress of ofKind(objects, 'Ingress')) {
    const node = boxes.add(ingress);
    const namespace = ingress.metadata.namespace;
    for (const rule of ingress.spec.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const target = path.backend.service && boxes.ref('Service', namespace, path.backend.service.name);
        if (target)
          edges.push({ from: node.id, to: target.id, style: 'traffic', label: `${rule.host ?? '*'}${path.path ?? '/'}` });
      }
    }
    const fallback =
      ingress.spec.defaultBackend?.service && boxes.ref('Service', namespace, ingress.spec.defaultBackend.service.name);
    if (fallback) edges.push({ from: node.id, to: fallback.id, style: 'traffic', label: 'default backend' });
  }
  for (const gateway of ofKind(objects, 'Gateway')) boxes.add(gateway);
  for (const route of ofKind(objects, 'HTTPRoute')) {
    const node = boxes.add(route);
    const namespace = route.metadata.namespace;
    for (const parent of route.spec.parentRefs ?? []) {
      const gateway = boxes.ref('Gateway', parent.namespace ?? namespace, parent.name);
      if (gateway)
        edges.push({
          from: gateway.id,
          to: node.id,
          style: 'traffic',
          label: (route.spec.hostnames ?? []).join(', ') || undefined,
        });
    }
    for (const rule of route.spec.rules ?? []) {
      const total = (rule.backendRefs ?? []).reduce((sum, b) => sum + (b.weight ?? 1), 0);
      for (const backend of rule.backendRefs ?? []) {
        const target = boxes.ref('Service', backend.namespace ?? namespace, backend.name);
        const share =
          total > 0 && (rule.backendRefs?.length ?? 0) > 1 ? ` ${Math.round(((backend.weight ?? 1) / total) * 100)}%` : '';
        const path = rule.matches?.[0]?.path?.value ?? '/';
        if (target) edges.push({ from: node.id, to: target.id, style: 'traffic', label: `${path}${share}` });
      }
    }
  }
}
