// The Gateway API router: listeners of served Gateways (GatewayClass `kemu` is implicit), routes
// attached with hostname intersection, one precedence-sorted match list per listener.
import type { Gateway, GatewayClass, HTTPRoute, KubernetesObject, ReferenceGrant, RouteParentStatus } from '@kemu/core';
import { ObjectIndex } from '../backends.js';
import { gatewayHostnameMatches } from '../hosts.js';
import type { RouterIssue } from '../issues.js';
import { type Consideration, type HTTPRequest, type NormalizedRequest, normalizeRequest, type RouteAnswer } from '../request.js';
import { gatewayStatus, ruleAnswer } from './answer.js';
import { attachRoute, kemuGatewayController, type ServedListener, servedListeners } from './attach.js';
import { invalidFilters } from './filters.js';
import { comparePrecedence, compileMatches, entryMismatch, hostnameScore, type MatchEntry } from './rules.js';

/** Options of the Gateway API router. */
export interface GatewayRouterOptions {
  /** GatewayClass controllerNames served besides the implicit class `kemu`; default kemu's own. */
  controllers?: readonly string[];
}

interface ListenerTable {
  listener: ServedListener;
  entries: { entry: MatchEntry; hostnames: string[] }[];
}

const gatewayKinds = new Set(['Gateway', 'GatewayClass', 'HTTPRoute', 'ReferenceGrant']);

/** Routes requests the way a conformant Gateway API implementation would. */
export class GatewayRouter {
  readonly index: ObjectIndex;
  private readonly options: GatewayRouterOptions;
  private readonly objects = new Map<string, KubernetesObject>();
  private tables: ListenerTable[] = [];
  /** Listener tables by port and protocol, with exact hostnames in a map, so a request looks at a few. */
  private listenerIndex = new Map<string, ListenerIndex>();
  private readonly statuses = new Map<string, RouteParentStatus[]>();
  private compileIssues: RouterIssue[] = [];

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
      : candidateListeners(this.listenerIndex.get(`${request.port}/${protocol}`), request.host);
    // Listener choice: exact hostname > wildcard (longer first) > none; no fallback to another listener.
    const { best, bestScore } = bestListeners(onPort, request.host, steps);
    if (request.sni && protocol === 'HTTPS' && bestScore >= 0) {
      // The certificate came from the listener SNI selected; a Host served by another listener → 421 (SHOULD).
      const sni = request.sni.toLowerCase();
      const bySni = bestListeners(
        steps ? onPort : candidateListeners(this.listenerIndex.get(`${request.port}/${protocol}`), sni),
        sni,
        undefined,
      );
      if (bySni.bestScore >= 0 && !bySni.best.some((t) => best.includes(t))) {
        return gatewayStatus(421, 'MisdirectedRequest', `SNI ${request.sni} selected another listener than Host ${request.host}`);
      }
    }
    if (bestScore < 0)
      return gatewayStatus(
        404,
        'NoMatchingListener',
        `no ${protocol} listener on port ${request.port} matches host ${request.host}`,
      );
    for (const table of best)
      steps?.push({ rule: `listener ${table.listener.key}`, verdict: 'selected', why: 'most specific listener hostname' });
    const entries =
      best.length === 1
        ? (best[0] as ListenerTable).entries
        : best.flatMap((t) => t.entries).sort((a, b) => comparePrecedence(a.entry, b.entry));
    // Routes with the most specific matching hostname take precedence over the others.
    const scores = new Map<string, string>();
    let top = '';
    for (const { entry, hostnames } of entries) {
      if (scores.has(entry.routeKey)) continue;
      const s = hostnameScore(hostnames, request.host);
      const key = s ? `${String(s[0]).padStart(4, '0')}.${String(s[1]).padStart(4, '0')}` : '';
      scores.set(entry.routeKey, key);
      if (key > top) top = key;
    }
    let chosen: MatchEntry | undefined;
    for (const { entry } of entries) {
      const label = `HTTPRoute/${entry.routeKey} rules[${entry.ruleIndex}].matches[${entry.matchIndex}]`;
      const score = scores.get(entry.routeKey) ?? '';
      if (score === '' || score !== top) {
        steps?.push({
          rule: label,
          verdict: 'ignored',
          why: score === '' ? `no route hostname matches ${request.host}` : 'another route has a more specific matching hostname',
        });
        continue;
      }
      if (chosen) {
        if (steps && !entryMismatch(entry, request))
          steps.push({ rule: label, verdict: 'lost', why: 'matches, but a higher-precedence match came first' });
        else steps?.push({ rule: label, verdict: 'no-match', why: entryMismatch(entry, request) ?? '' });
        if (!steps) break;
        continue;
      }
      const why = entryMismatch(entry, request);
      if (why) {
        steps?.push({ rule: label, verdict: 'no-match', why });
        continue;
      }
      steps?.push({ rule: label, verdict: 'selected', why: 'highest precedence among matching rules' });
      chosen = entry;
      if (!steps) break;
    }
    if (!chosen)
      return gatewayStatus(404, 'NoMatchingRule', `no HTTPRoute rule on ${best.map((t) => t.listener.key).join(', ')} matches`);
    return ruleAnswer(chosen, request, this.index, this.grants());
  }

  private grants(): ReferenceGrant[] {
    return [...this.objects.values()].filter((o): o is ReferenceGrant => o.kind === 'ReferenceGrant');
  }

  private compile(): void {
    const all = [...this.objects.values()];
    const classes = new Map(all.filter((o): o is GatewayClass => o.kind === 'GatewayClass').map((c) => [c.metadata.name, c]));
    const gateways = all.filter((o): o is Gateway => o.kind === 'Gateway');
    const routes = all.filter((o): o is HTTPRoute => o.kind === 'HTTPRoute');
    const grants = this.grants();
    const listeners = servedListeners(gateways, classes, this.options.controllers ?? [kemuGatewayController]);
    const tables = new Map<string, ListenerTable>(listeners.map((l) => [l.key, { listener: l, entries: [] }]));
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

function indexListeners(tables: readonly ListenerTable[]): Map<string, ListenerIndex> {
  const index = new Map<string, ListenerIndex>();
  for (const table of tables) {
    const { port, protocol, hostname } = table.listener.listener;
    const key = `${port}/${protocol}`;
    let entry = index.get(key);
    if (!entry) {
      entry = { exact: new Map(), wildcard: [], any: [] };
      index.set(key, entry);
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

/** The listeners that may match `host`: its exact ones, every wildcard, every hostname-less one. */
function candidateListeners(index: ListenerIndex | undefined, host: string): ListenerTable[] {
  if (!index) return [];
  const exact = index.exact.get(host);
  return exact ? [...exact, ...index.wildcard, ...index.any] : [...index.wildcard, ...index.any];
}

/** Listeners whose hostname matches `host`, keeping only the most specific (exact > longer wildcard > none). */
function bestListeners(
  tables: readonly ListenerTable[],
  host: string,
  steps: Consideration[] | undefined,
): { best: ListenerTable[]; bestScore: number } {
  let best: ListenerTable[] = [];
  let bestScore = -1;
  for (const table of tables) {
    const hostname = table.listener.listener.hostname;
    const matches = gatewayHostnameMatches(hostname, host);
    const score = !matches ? -1 : !hostname ? 0 : hostname.startsWith('*.') ? 1000 + hostname.length : 100000 + hostname.length;
    steps?.push({
      rule: `listener ${table.listener.key} (${hostname ?? 'any host'})`,
      verdict: matches ? 'lost' : 'no-match',
      why: matches ? 'hostname matches' : `hostname does not match ${host}`,
    });
    if (score > bestScore) {
      bestScore = score;
      best = [table];
    } else if (score === bestScore && score >= 0) best.push(table);
  }
  return { best, bestScore };
}

function keyOf(object: Pick<KubernetesObject, 'kind' | 'metadata'>): string {
  return object.kind === 'HTTPRoute'
    ? `${object.metadata.namespace ?? 'default'}/${object.metadata.name}`
    : `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}
