// Route attachment: which listeners of which served Gateways an HTTPRoute attaches to, with the
// hostname intersection and the Accepted / ResolvedRefs conditions a controller reports
// (gateway-api apis/v1/shared_types.go RouteConditionType / RouteConditionReason).
import {
  type BackendObjectReference,
  type Condition,
  type Gateway,
  type GatewayClass,
  type HTTPRoute,
  type Listener,
  labelSelector,
  type ReferenceGrant,
  type RouteParentStatus,
} from '@kemu/core';
import type { ObjectIndex } from '../backends.js';
import { gatewayWildcardMatches } from '../hosts.js';

/** The implicit GatewayClass name kemu serves, and its controllerName. */
export const kemuGatewayClass = 'kemu';
/** controllerName kemu writes into route status and serves in GatewayClasses. */
export const kemuGatewayController = 'kemu.dev/gateway-controller';

/** One served listener. */
export interface ServedListener {
  gateway: Gateway;
  listener: Listener;
  /** `namespace/gateway/listener`. */
  key: string;
  namespace: string;
}

/** A route attached to a listener, with its effective hostnames there (empty = any host). */
export interface Attachment {
  listener: ServedListener;
  hostnames: string[];
}

const gatewayGroup = 'gateway.networking.k8s.io';

/** Served listeners of HTTP-capable protocols, from Gateways whose class is served. */
export function servedListeners(
  gateways: readonly Gateway[],
  classes: ReadonlyMap<string, GatewayClass>,
  controllers: readonly string[],
): ServedListener[] {
  const out: ServedListener[] = [];
  for (const gateway of gateways) {
    const className = gateway.spec.gatewayClassName;
    const cls = classes.get(className);
    const served = cls ? controllers.includes(cls.spec.controllerName) : className === kemuGatewayClass;
    if (!served) continue;
    const namespace = gateway.metadata.namespace ?? 'default';
    for (const listener of gateway.spec.listeners ?? []) {
      if (listener.protocol !== 'HTTP' && listener.protocol !== 'HTTPS') continue;
      out.push({ gateway, listener, key: `${namespace}/${gateway.metadata.name}/${listener.name}`, namespace });
    }
  }
  return out;
}

/** Hostnames of a route effective on a listener (spec: hostnames field comment); undefined = no intersection. */
export function intersectHostnames(listenerHost: string | undefined, routeHosts: readonly string[]): string[] | undefined {
  if (routeHosts.length === 0) return listenerHost ? [listenerHost] : [];
  if (!listenerHost) return [...routeHosts];
  const out: string[] = [];
  for (const r of routeHosts) {
    const rWild = r.startsWith('*.');
    const lWild = listenerHost.startsWith('*.');
    if (r === listenerHost) out.push(r);
    else if (lWild && !rWild && gatewayWildcardMatches(listenerHost, r)) out.push(r);
    else if (rWild && !lWild && gatewayWildcardMatches(r, listenerHost)) out.push(listenerHost);
    else if (rWild && lWild) {
      if (r.endsWith(listenerHost.slice(1))) out.push(r);
      else if (listenerHost.endsWith(r.slice(1))) out.push(listenerHost);
    }
  }
  return out.length ? [...new Set(out)] : undefined;
}

function condition(type: string, status: 'True' | 'False', reason: string, message: string, generation?: number): Condition {
  return { type, status, reason, message, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
}

function allowedNamespace(listener: ServedListener, routeNamespace: string, index: ObjectIndex): boolean {
  const from = listener.listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNamespace === listener.namespace;
  return labelSelector(listener.listener.allowedRoutes?.namespaces?.selector).matches(index.namespaceLabels(routeNamespace));
}

function allowsHTTPRoute(listener: Listener): boolean {
  const kinds = listener.allowedRoutes?.kinds;
  if (!kinds || kinds.length === 0) return true;
  return kinds.some((k) => k.kind === 'HTTPRoute' && (k.group ?? gatewayGroup) === gatewayGroup);
}

/** Whether a ReferenceGrant lets an HTTPRoute in `fromNamespace` reference Service `name` in `toNamespace`. */
export function referenceGranted(
  grants: readonly ReferenceGrant[],
  fromNamespace: string,
  toNamespace: string,
  name: string,
): boolean {
  return grants.some(
    (g) =>
      (g.metadata.namespace ?? 'default') === toNamespace &&
      g.spec.from.some((f) => f.group === gatewayGroup && f.kind === 'HTTPRoute' && f.namespace === fromNamespace) &&
      g.spec.to.some((t) => (t.group ?? '') === '' && t.kind === 'Service' && (!t.name || t.name === name)),
  );
}

/** Why a backendRef is unusable (ResolvedRefs=False reason), or undefined when it resolves. */
export function backendRefProblem(
  ref: BackendObjectReference,
  routeNamespace: string,
  index: ObjectIndex,
  grants: readonly ReferenceGrant[],
): { reason: 'InvalidKind' | 'RefNotPermitted' | 'BackendNotFound'; message: string } | undefined {
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') {
    return { reason: 'InvalidKind', message: `backendRef ${ref.group ?? ''}/${ref.kind} ${ref.name} is not a core Service` };
  }
  const ns = ref.namespace ?? routeNamespace;
  if (ns !== routeNamespace && !referenceGranted(grants, routeNamespace, ns, ref.name)) {
    return {
      reason: 'RefNotPermitted',
      message: `Service ${ns}/${ref.name} is in another namespace and no ReferenceGrant in ${ns} allows it`,
    };
  }
  if (!index.services.has(`${ns}/${ref.name}`))
    return { reason: 'BackendNotFound', message: `Service ${ns}/${ref.name} not found` };
  if (ref.port === undefined)
    return { reason: 'BackendNotFound', message: `backendRef to Service ${ns}/${ref.name} needs a port` };
  return undefined;
}

/** Attaches one route to the served listeners and computes its status. */
export function attachRoute(
  route: HTTPRoute,
  listeners: readonly ServedListener[],
  index: ObjectIndex,
  grants: readonly ReferenceGrant[],
  invalid: string | undefined,
): { attachments: Attachment[]; status: RouteParentStatus[]; ignoredParents: string[] } {
  const ns = route.metadata.namespace ?? 'default';
  const generation = route.metadata.generation;
  const attachments: Attachment[] = [];
  const status: RouteParentStatus[] = [];
  const ignoredParents: string[] = [];
  let resolved: Condition = condition('ResolvedRefs', 'True', 'ResolvedRefs', 'all backendRefs resolved', generation);
  for (const rule of route.spec.rules ?? []) {
    for (const ref of [
      ...(rule.backendRefs ?? []),
      ...(rule.filters ?? []).flatMap((f) => (f.requestMirror ? [f.requestMirror.backendRef] : [])),
    ]) {
      const problem = backendRefProblem(ref, ns, index, grants);
      if (problem && resolved.status === 'True')
        resolved = condition('ResolvedRefs', 'False', problem.reason, problem.message, generation);
    }
  }
  for (const parentRef of route.spec.parentRefs ?? []) {
    if ((parentRef.group ?? gatewayGroup) !== gatewayGroup || (parentRef.kind ?? 'Gateway') !== 'Gateway') continue;
    const gwNs = parentRef.namespace ?? ns;
    const ofGateway = listeners.filter((l) => l.namespace === gwNs && l.gateway.metadata.name === parentRef.name);
    if (ofGateway.length === 0) {
      // Not a Gateway kemu serves: another controller reports its status (or nobody does).
      ignoredParents.push(`${gwNs}/${parentRef.name}`);
      continue;
    }
    const push = (accepted: Condition): void => {
      status.push({ parentRef, controllerName: kemuGatewayController, conditions: [accepted, resolved] });
    };
    if (invalid) {
      push(condition('Accepted', 'False', 'UnsupportedValue', invalid, generation));
      continue;
    }
    const named = ofGateway.filter(
      (l) =>
        (parentRef.sectionName === undefined || l.listener.name === parentRef.sectionName) &&
        (parentRef.port === undefined || l.listener.port === parentRef.port),
    );
    if (named.length === 0) {
      push(
        condition(
          'Accepted',
          'False',
          'NoMatchingParent',
          `Gateway ${gwNs}/${parentRef.name} has no listener named "${parentRef.sectionName ?? ''}" on port ${parentRef.port ?? 'any'}`,
          generation,
        ),
      );
      continue;
    }
    const allowed = named.filter((l) => allowsHTTPRoute(l.listener) && allowedNamespace(l, ns, index));
    if (allowed.length === 0) {
      push(
        condition(
          'Accepted',
          'False',
          'NotAllowedByListeners',
          `no listener of Gateway ${gwNs}/${parentRef.name} allows HTTPRoutes from namespace ${ns}`,
          generation,
        ),
      );
      continue;
    }
    const found: Attachment[] = [];
    for (const listener of allowed) {
      const hostnames = intersectHostnames(listener.listener.hostname, route.spec.hostnames ?? []);
      if (hostnames) found.push({ listener, hostnames });
    }
    if (found.length === 0) {
      push(
        condition(
          'Accepted',
          'False',
          'NoMatchingListenerHostname',
          `no hostname of the route intersects a listener hostname of Gateway ${gwNs}/${parentRef.name}`,
          generation,
        ),
      );
      continue;
    }
    attachments.push(...found);
    push(
      condition(
        'Accepted',
        'True',
        'Accepted',
        `attached to ${found.map((f) => f.listener.listener.name).join(', ')}`,
        generation,
      ),
    );
  }
  return { attachments, status, ignoredParents };
}
