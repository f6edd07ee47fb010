// Which Ingresses this controller serves (ingress-nginx internal/ingress/controller/store
// + docs/user-guide/multiple-ingress.md; Kubernetes docs "Default IngressClass").
import type { Ingress, IngressClass } from '@kemu/core';

/** The annotation that marks an IngressClass as the cluster default. */
export const defaultClassAnnotation = 'ingressclass.kubernetes.io/is-default-class';
/** The deprecated per-Ingress class annotation (pre-1.18), still honoured. */
export const legacyClassAnnotation = 'kubernetes.io/ingress.class';

/** Which IngressClasses a router serves. */
export interface IngressClassOptions {
  /** IngressClass `spec.controller` values served; default ingress-nginx's and kemu's own. */
  controllers?: readonly string[];
  /** The class name the legacy annotation must carry (ingress-nginx `--ingress-class`, default `nginx`). */
  ingressClass?: string;
  /** Serve Ingresses with no class at all (ingress-nginx `--watch-ingress-without-class`); default false. */
  watchIngressWithoutClass?: boolean;
}

/** ingress-nginx's controller value and kemu's own. */
export const servedControllers = ['k8s.io/ingress-nginx', 'kemu.dev/ingress-controller'] as const;

/** The verdict for one Ingress. */
export type ClassVerdict =
  | { served: true; className: string | undefined; via: 'annotation' | 'ingressClassName' | 'default-class' | 'without-class' }
  | { served: false; why: string };

/** Decides whether an Ingress belongs to a served class. The legacy annotation is read first, as ingress-nginx does. */
export function classifyIngress(
  ingress: Ingress,
  classes: ReadonlyMap<string, IngressClass>,
  options: IngressClassOptions = {},
): ClassVerdict {
  const controllers = options.controllers ?? servedControllers;
  const servedClass = (name: string): boolean => {
    const cls = classes.get(name);
    return cls !== undefined && controllers.includes(cls.spec.controller ?? '');
  };
  const annotation = ingress.metadata.annotations?.[legacyClassAnnotation];
  if (annotation !== undefined) {
    if (annotation === (options.ingressClass ?? 'nginx') || servedClass(annotation)) {
      return { served: true, className: annotation, via: 'annotation' };
    }
    return {
      served: false,
      why: `annotation ${legacyClassAnnotation}="${annotation}" names a class this controller does not serve`,
    };
  }
  const name = ingress.spec.ingressClassName;
  if (name !== undefined) {
    const cls = classes.get(name);
    if (!cls) return { served: false, why: `IngressClass "${name}" does not exist (spec.ingressClassName)` };
    if (!servedClass(name)) {
      return {
        served: false,
        why: `IngressClass "${name}" has controller "${cls.spec.controller}", not one of ${controllers.join(', ')}`,
      };
    }
    return { served: true, className: name, via: 'ingressClassName' };
  }
  // The admission plugin fills ingressClassName from the default class into new Ingresses.
  const defaults = [...classes.values()].filter((c) => c.metadata.annotations?.[defaultClassAnnotation] === 'true');
  if (defaults.length === 1) {
    const only = defaults[0] as IngressClass;
    if (servedClass(only.metadata.name)) return { served: true, className: only.metadata.name, via: 'default-class' };
    return { served: false, why: `no class; the default IngressClass "${only.metadata.name}" belongs to another controller` };
  }
  if (options.watchIngressWithoutClass) return { served: true, className: undefined, via: 'without-class' };
  if (defaults.length > 1) {
    return {
      served: false,
      why: `no class, and ${defaults.length} IngressClasses are marked default (the API server would refuse it)`,
    };
  }
  return {
    served: false,
    why: 'no ingressClassName, no class annotation, no default IngressClass (ingress-nginx ignores it without --watch-ingress-without-class)',
  };
}
