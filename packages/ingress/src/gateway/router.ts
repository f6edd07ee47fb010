// The Gateway API router: listeners of served Gateways (GatewayClass `kemu` is implicit), routes
// attached with hostname intersection, one precedence-sorted match list per listener.
import type { Gateway, GatewayClass, HTTPRoute, KubernetesObject, ReferenceGrant, RouteParentStatus } from '@kemu/core';
import { ObjectIndex } from '../backends.js';
import { gatewayHostnameMatches } from '../hosts.js';
import type { RouterIssue } from '../issues.js';
import { type Consideration, type HTTPRequest, type NormalizedRequest, normalizeRequest, type RouteAnswer } from '../request.js';
import { gatewayStatus, ruleAnswer } from './answer.js';
import { attachRoute, kemuGatewayController, type ServedListener, servedListeners } from './attach.js';
import { chooseMatch, type ListenerTable } from './choose.js';
import { invalidFilters } from './filters.js';
import { comparePrecedence, compileMatches, type MatchEntry } from './rules.js';

/** Options of the Gateway API router. */
export interface GatewayRouterOptions {
  /** GatewayClass controllerNames served besides the implicit class `kemu`; default kemu's own. */
  controllers?: readonly string[];
}

const gatewayKinds = new Set(['Gateway', 'GatewayClass', 'HTTPRoute', 'ReferenceGrant']);

/** Routes requests the way a conformant Gateway API implementation would. */
export class GatewayRouter {
  readonly index: ObjectIndex;
  private readonly options: GatewayRouterOptions;
  private readonly objects = new Map<string, KubernetesObject>();
  private tables: ListenerTable[] = [];
  /** Listener tables by port and protocol, with exact hostnames in a map, so a request looks at a few. */
  private listenerIndex = indexListeners([]);
  private readonly statuses = new Map<string, RouteParentStatus[]>();
  private compileIssues: RouterIssue[] = [];
  /** The ReferenceGrants, collected at compile: every answer checks its backendRef against them. */
  private grants: ReferenceGrant[] = [];
  /** The last request no listener serves and its message: requests to one host come in runs. */
  private lastMiss = { protocol: '', port: 0, host: '', message: '' };

  constructor(objects: readonly KubernetesObject[], options: GatewayRouterOptions = {}, index?: ObjectIndex) {
    this.options = options;
    this.index = index ?? ObjectIndex.from(objects);
    for (const object of objects) if (gatewayKinds.has(object.kind)) this.objects.set(keyOf(object), object);
    this.compile();
  }

  /** Problems found: invalid routes, unresolvable references. */
  get issues(): RouterIssue[] {
    return this.compileIssues;
  }

  /** Listener ports served (HTTP and HTTPS). */
  get ports(): number[] {
    return [...new Set(this.tables.map((t) => t.listener.listener.port))];
  }

  /** Served listeners. */
  get listeners(): ServedListener[] {
    return this.tables.map((t) => t.listener);
  }

  /** Status of an HTTPRoute (`namespace/name`) per parentRef, as a controller would write it. */
  routeStatus(namespace: string, name: string): RouteParentStatus[] {
    return this.statuses.get(`${namespace}/${name}`) ?? [];
  }

  /** Adds or replaces objects; Gateway API objects recompile the listener tables. */
  apply(objects: readonly KubernetesObject[]): void {
    let dirty = false;
    for (const object of objects) {
      if (gatewayKinds.has(object.kind)) {
        this.objects.set(keyOf(object), object);
        dirty = true;
      } else dirty = this.index.upsert(object) || dirty;
    }
    if (dirty) this.compile();
  }

  /** Deletes objects by kind, namespace and name. */
  delete(objects: readonly Pick<KubernetesObject, 'kind' | 'metadata'>[]): void {
    for (const object of objects) {
      if (gatewayKinds.has(object.kind)) this.objects.delete(keyOf(object));
      else this.index.remove(object);
    }
    this.compile();
  }

  /** The answer for one request (the listener is chosen by port, scheme and Host). */
  match(request: HTTPRequest): RouteAnswer {
    return this.route(normalizeRequest(request), undefined);
  }

  /** {@link match} for a request the caller normalized (to ask several routers about it, normalized once). */
  matchNormalized(request: NormalizedRequest): RouteAnswer {
    return this.route(request, undefined);
  }

  /** The answer plus every listener and match considered. */
  explain(request: HTTPRequest): RouteAnswer {
    const steps: Consideration[] = [];
    return { ...this.route(normalizeRequest(request), steps), explanation: steps };
  }

  private route(request: NormalizedRequest, steps: Consideration[] | undefined): RouteAnswer {
    const protocol = request.scheme === 'https' ? 'HTTPS' : 'HTTP';
    // explain() lists every listener it looked at; match() only looks at those that can match.
    const onPort = steps
      ? this.tables.filter((t) => t.listener.listener.port === request.port && t.listener.listener.protocol === protocol)
      : candidateListeners(this.listenerIndex[protocol].get(request.port), request.host);
    // Listener choice: exact hostname > wildcard (longer first) > none; no fallback to another listener.
    const { best, bestScore } = bestListeners(onPort, request.host, steps);
    if (request.sni && protocol === 'HTTPS' && bestScore >= 0) {
      // The certificate came from the listener SNI selected; a Host served by another listener → 421 (SHOULD).
      const sni = request.sni.toLowerCase();
      const bySni = bestListeners(
        steps ? onPort : candidateListeners(this.listenerIndex[protocol].get(request.port), sni),
        sni,
        undefined,
      );
      if (bySni.bestScore >= 0 && !bySni.best.some((t) => best.includes(t))) {
        return gatewayStatus(421, 'MisdirectedRequest', `SNI ${request.sni} selected another listener than Host ${request.host}`);
      }
    }
    if (bestScore < 0) return gatewayStatus(404, 'NoMatchingListener', this.noListenerMessage(protocol, request));
    if (steps)
      for (const table of best)
        steps.push({ rule: `listener ${table.listener.key}`, verdict: 'selected', why: 'most specific listener hostname' });
    const chosen = chooseMatch(best, request, steps);
    if (!chosen)
      return gatewayStatus(404, 'NoMatchingRule', `no HTTPRoute rule on ${best.map((t) => t.listener.key).join(', ')} matches`);
    return ruleAnswer(chosen, request, this.index, this.grants);
  }

  private noListenerMessage(protocol: string, request: NormalizedRequest): string {
    const last = this.lastMiss;
    if (last.host !== request.host || last.port !== request.port || last.protocol !== protocol) {
      const message = `no ${protocol} listener on port ${request.port} matches host ${request.host}`;
      this.lastMiss = { protocol, port: request.port, host: request.host, message };
    }
    return this.lastMiss.message;
  }

  private compile(): void {
    const all = [...this.objects.values()];
    const classes = new Map(all.filter((o): o is GatewayClass => o.kind === 'GatewayClass').map((c) => [c.metadata.name, c]));
    const gateways = all.filter((o): o is Gateway => o.kind === 'Gateway');
    const routes = all.filter((o): o is HTTPRoute => o.kind === 'HTTPRoute');
    const grants = all.filter((o): o is ReferenceGrant => o.kind === 'ReferenceGrant');
    this.grants = grants;
    const listeners = servedListeners(gateways, classes, this.options.controllers ?? [kemuGatewayController]);
    const tables = new Map<string, ListenerTable>(
      listeners.map((l) => [
        l.key,
        { listener: l, label: `listener ${l.key} (${l.listener.hostname ?? 'any host'})`, entries: [] },
      ]),
    );
    this.statuses.clear();
    this.compileIssues = [];
    for (const route of routes) {
      const key = keyOf(route);
      let entries: MatchEntry[] = [];
      let invalid: string | undefined;
      try {
        entries = compileMatches(route);
      } catch (message) {
        invalid = String(message);
      }
      (route.spec.rules ?? []).forEach((rule, i) => {
        const matches = rule.matches?.length ? rule.matches : [{}];
        const singlePrefix = matches.every((m) => (m.path?.type ?? 'PathPrefix') === 'PathPrefix');
        const bad = invalidFilters(rule.filters ?? [], (rule.backendRefs ?? []).length > 0, singlePrefix);
        if (bad && !invalid) invalid = `spec.rules[${i}].filters: ${bad}`;
      });
      const { attachments, status, ignoredParents } = attachRoute(route, listeners, this.index, grants, invalid);
      this.statuses.set(key, status);
      for (const parent of ignoredParents) {
        this.compileIssues.push({
          object: `HTTPRoute/${key}`,
          field: 'spec.parentRefs',
          message: `Gateway ${parent} does not exist or is not of a class kemu serves (GatewayClass "kemu"); the route is not attached there`,
        });
      }
      for (const s of status) {
        for (const c of s.conditions)
          if (c.status === 'False')
            this.compileIssues.push({
              object: `HTTPRoute/${key}`,
              field: c.type === 'Accepted' ? 'spec' : 'spec.rules[].backendRefs',
              message: `${c.type}=False ${c.reason}: ${c.message}`,
            });
      }
      for (const attachment of attachments) {
        const table = tables.get(attachment.listener.key);
        for (const entry of entries) table?.entries.push({ entry, hostnames: attachment.hostnames });
      }
    }
    for (const table of tables.values()) table.entries.sort((a, b) => comparePrecedence(a.entry, b.entry));
    this.tables = [...tables.values()];
    this.listenerIndex = indexListeners(this.tables);
  }
}

/** Listener tables of one port and protocol: exact hostnames by name, wildcards, and hostname-less ones. */
interface ListenerIndex {
  exact: Map<string, ListenerTable[]>;
  wildcard: ListenerTable[];
  any: ListenerTable[];
}

/** Listener indexes by protocol (served listeners are HTTP or HTTPS), then port. */
type ListenersByPort = Record<'HTTP' | 'HTTPS', Map<number, ListenerIndex>>;

function indexListeners(tables: readonly ListenerTable[]): ListenersByPort {
  const index: ListenersByPort = { HTTP: new Map(), HTTPS: new Map() };
  for (const table of tables) {
    const { port, protocol, hostname } = table.listener.listener;
    const byPort = index[protocol as 'HTTP' | 'HTTPS'];
    let entry = byPort.get(port);
    if (!entry) {
      entry = { exact: new Map(), wildcard: [], any: [] };
      byPort.set(port, entry);
    }
    if (!hostname) entry.any.push(table);
    else if (hostname.startsWith('*.')) entry.wildcard.push(table);
    else {
      const name = hostname.toLowerCase();
      entry.exact.set(name, [...(entry.exact.get(name) ?? []), table]);
    }
  }
  return index;
}

const noListeners: readonly ListenerTable[] = [];

/** The listeners that may match `host`: its exact ones, every wildcard, every hostname-less one. */
function candidateListeners(index: ListenerIndex | undefined, host: string): readonly ListenerTable[] {
  if (!index) return noListeners;
  const exact = index.exact.get(host) ?? noListeners;
  // Usually a single group is present: hand it out as is (callers only read it).
  if (index.wildcard.length === 0 && index.any.length === 0) return exact;
  return [...exact, ...index.wildcard, ...index.any];
}

/** Listeners whose hostname matches `host`, keeping only the most specific (exact > longer wildcard > none). */
function bestListeners(
  tables: readonly ListenerTable[],
  host: string,
  steps: Consideration[] | undefined,
): { best: readonly ListenerTable[]; bestScore: number } {
  let best: readonly ListenerTable[] = noListeners;
  let bestScore = -1;
  // explain() lists every listener on the port (a thousand Gateways' worth): one string for all misses.
  const mismatch = steps && `hostname does not match ${host}`;
  for (const table of tables) {
    const hostname = table.listener.listener.hostname;
    const matches = gatewayHostnameMatches(hostname, host);
    const score = !matches ? -1 : !hostname ? 0 : hostname.startsWith('*.') ? 1000 + hostname.length : 100000 + hostname.length;
    steps?.push({
      rule: table.label,
      verdict: matches ? 'lost' : 'no-match',
      why: matches ? 'hostname matches' : (mismatch as string),
    });
    if (score > bestScore) {
      bestScore = score;
      // A lone candidate is its own list (the usual case: no array per request).
      best = tables.length === 1 ? tables : [table];
    } else if (score === bestScore && score >= 0) (best as ListenerTable[]).push(table);
  }
  return { best, bestScore };
}

function keyOf(object: Pick<KubernetesObject, 'kind' | 'metadata'>): string {
  return object.kind === 'HTTPRoute'
    ? `${object.metadata.namespace ?? 'default'}/${object.metadata.name}`
    : `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}
