import type { HTTPBackendRef, IngressBackend, Service } from '@kemu/core';

/** A backend resolved to what an HTTPRoute needs (a Service and a port number), or why it cannot be. */
export type ResolvedBackend = { ref: HTTPBackendRef } | { refused: string };

/**
 * An Ingress backend as an HTTPRoute backendRef. A named Service port is resolved through the
 * Service in the input, since a backendRef carries only a port number.
 */
export function resolveBackend(
  backend: IngressBackend,
  namespace: string,
  services: ReadonlyMap<string, Service>,
): ResolvedBackend {
  if (!backend.service)
    return { refused: `resource backend ${backend.resource?.kind}/${backend.resource?.name} has no HTTPRoute equivalent` };
  const { name, port } = backend.service;
  if (port.number) return { ref: { name, port: port.number } };
  const service = services.get(`${namespace}/${name}`);
  const match = service?.spec.ports?.find((p) => p.name === port.name);
  if (!match) {
    return {
      refused: `Service port name "${port.name}" of ${namespace}/${name} cannot be resolved to a number (${service ? 'no such port' : 'Service not in the input'}); a backendRef needs the number`,
    };
  }
  return { ref: { name, port: match.port } };
}
