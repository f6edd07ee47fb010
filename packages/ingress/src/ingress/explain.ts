// Human-readable rule names and the explain() trail for ingress-nginx locations.
import type { Consideration, RouteRef } from '../request.js';
import { type CompiledServer, describeLocation, locationMatches } from './locations.js';
import { catchAllHost, type NginxLocation } from './servers.js';

/** The RouteRef of a location: `host path (type) [location as nginx.conf writes it]`. */
export function routeRef(host: string, location: NginxLocation, described: string): RouteRef {
  const owner = location.owner;
  const path = location.isDefBackend
    ? '(default backend)'
    : `${location.ingressPath} (${location.pathType}${location.twin ? ', exact twin' : ''})`;
  const rule = `${host === catchAllHost ? '*' : host} ${path} [location ${described}]`;
  return {
    kind: 'Ingress',
    namespace: owner?.namespace ?? '',
    name: owner?.ingress.metadata.name ?? '',
    rule,
    locationPath: location.ingressPath,
    ...(location.backend?.service ? { locationService: location.backend.service.name } : {}),
  };
}

/** Appends one step per location of the server: selected, lost (matches but ranks lower) or no-match. */
export function explainLocations(
  compiled: CompiledServer,
  chosen: NginxLocation,
  uri: string,
  steps: Consideration[],
  how: string,
): void {
  for (const location of compiled.server.locations) {
    const rule = routeRef(compiled.server.host, location, describeLocation(compiled, location)).rule;
    if (location === chosen) steps.push({ rule, verdict: 'selected', why: how });
    else if (locationMatches(compiled, location, uri)) {
      const why = compiled.server.regexMode
        ? 'matches, but a longer regex location comes first'
        : 'matches, but a more specific location wins (exact, then longest prefix)';
      steps.push({ rule, verdict: 'lost', why });
    } else
      steps.push({ rule, verdict: 'no-match', why: location.exact ? `not exactly ${location.path}` : `does not match ${uri}` });
  }
}
