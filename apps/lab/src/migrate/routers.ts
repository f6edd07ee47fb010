import { applyDefaults, type KubernetesObject, ofKind, type Service } from '@kemu/core';
import { GatewayRouter, IngressRouter } from '@kemu/ingress';
import { assumeBackends } from './backends-assumed.js';
import type { ProbeRouter } from './check.js';
import { probeRouter, sharedNormalizer } from './probe-router.js';

/** Turns `ns/svc:http` into `ns/svc:80` through the Services, so a named and a numbered port compare equal. */
function portNumbers(objects: readonly KubernetesObject[]): (backend: string) => string {
  const services = new Map(
    (ofKind(objects, 'Service') as Service[]).map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]),
  );
  return (backend) => {
    const colon = backend.lastIndexOf(':');
    const port = backend.slice(colon + 1);
    if (/^\d+$/.test(port)) return backend;
    const number = services.get(backend.slice(0, colon))?.spec.ports?.find((p) => p.name === port)?.port;
    return number ? `${backend.slice(0, colon)}:${number}` : backend;
  };
}

/**
 * The two routers `migrate check` compares, over the same assumed backends: ingress-nginx for the
 * old objects, Gateway API for the new ones. Services the inputs lack are assumed to exist with
 * one ready endpoint, so routing decisions are compared rather than two 503s.
 */
export function buildRouters(
  oldInput: readonly KubernetesObject[],
  newInput: readonly KubernetesObject[],
): { old: ProbeRouter; new: ProbeRouter } {
  // Objects straight from the converter have not been through the API server's defaults.
  const defaulted = (objects: readonly KubernetesObject[]) =>
    objects.map((o) => {
      const copy = structuredClone(o) as unknown as Record<string, unknown>;
      applyDefaults(copy);
      return copy as unknown as KubernetesObject;
    });
  const oldObjects = defaulted(oldInput);
  const newObjects = defaulted(newInput);
  const all = [...oldObjects, ...newObjects];
  const services = [...(ofKind(all, 'Service') as KubernetesObject[]), ...ofKind(all, 'EndpointSlice')];
  const unique = new Map(services.map((o) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o]));
  const backends = [
    ...unique.values(),
    ...assumeBackends([...ofKind(oldObjects, 'Ingress'), ...ofKind(newObjects, 'HTTPRoute'), ...unique.values()]),
  ];
  const withBackends = (objects: readonly KubernetesObject[]) => [
    ...objects.filter((o) => o.kind !== 'Service' && o.kind !== 'EndpointSlice'),
    ...backends,
  ];
  const oldRouted = withBackends(oldObjects);
  const newRouted = withBackends(newObjects);
  const normalized = sharedNormalizer();
  return {
    old: probeRouter(new IngressRouter(oldRouted), portNumbers(oldRouted), normalized),
    new: probeRouter(new GatewayRouter(newRouted), portNumbers(newRouted), normalized),
  };
}
