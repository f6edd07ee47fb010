import { type Ingress, type IngressClass, type KubernetesObject, ofKind } from '@kemu/core';
import { classifyIngress } from '@kemu/ingress';

/**
 * Which Ingresses ingress-nginx serves, decided by @kemu/ingress's `classifyIngress` — the same
 * rule the ingress-nginx router of `migrate check` applies, so convert and check never disagree.
 * Returns the served Ingresses and, for the others, why they are left out.
 */
export function servedByIngressNginx(objects: readonly KubernetesObject[]): {
  served: Ingress[];
  skipped: { ingress: Ingress; reason: string }[];
} {
  const classes = new Map((ofKind(objects, 'IngressClass') as IngressClass[]).map((c) => [c.metadata.name, c]));
  const served: Ingress[] = [];
  const skipped: { ingress: Ingress; reason: string }[] = [];
  for (const ingress of ofKind(objects, 'Ingress') as Ingress[]) {
    const verdict = classifyIngress(ingress, classes);
    if (verdict.served) {
      served.push(ingress);
      continue;
    }
    const className = ingress.metadata.annotations?.['kubernetes.io/ingress.class'] ?? ingress.spec.ingressClassName;
    skipped.push({
      ingress,
      reason: `${className ? `class "${className}" is ` : ''}not served by ingress-nginx: ${verdict.why}`,
    });
  }
  return { served, skipped };
}
