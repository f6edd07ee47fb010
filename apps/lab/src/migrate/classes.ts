import { type Ingress, type IngressClass, type KubernetesObject, ofKind } from '@kemu/core';

/** The controller name ingress-nginx registers in IngressClass objects. */
export const ingressNginxController = 'k8s.io/ingress-nginx';

/**
 * Which Ingresses ingress-nginx serves (docs: ingress-class.md): `spec.ingressClassName` naming an
 * IngressClass of its controller, the legacy `kubernetes.io/ingress.class: nginx` annotation, or no
 * class when an IngressClass of its controller is marked default (the admission plugin fills it in).
 * Returns the served Ingresses and, for the others, why they are left out.
 */
export function servedByIngressNginx(objects: readonly KubernetesObject[]): {
  served: Ingress[];
  skipped: { ingress: Ingress; reason: string }[];
} {
  const classes = ofKind(objects, 'IngressClass') as IngressClass[];
  const nginxClasses = new Set(classes.filter((c) => c.spec.controller === ingressNginxController).map((c) => c.metadata.name));
  const defaultClass = classes.find((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
  const served: Ingress[] = [];
  const skipped: { ingress: Ingress; reason: string }[] = [];
  for (const ingress of ofKind(objects, 'Ingress') as Ingress[]) {
    const legacy = ingress.metadata.annotations?.['kubernetes.io/ingress.class'];
    const className = ingress.spec.ingressClassName ?? legacy ?? defaultClass?.metadata.name;
    if (className === undefined) {
      skipped.push({
        ingress,
        reason:
          'no ingressClassName and no default IngressClass: ingress-nginx ignores it (without --watch-ingress-without-class)',
      });
    } else if (
      nginxClasses.has(className) ||
      (classes.length === 0 && className === 'nginx') ||
      (legacy === 'nginx' && !ingress.spec.ingressClassName)
    ) {
      served.push(ingress);
    } else {
      skipped.push({ ingress, reason: `class "${className}" is not served by ${ingressNginxController}` });
    }
  }
  return { served, skipped };
}
