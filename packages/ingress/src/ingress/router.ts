// The ingress-nginx router: servers per host (exact map, wildcard by parent domain, catch-all),
// compiled once; a change to one Ingress rebuilds only the hosts it touches (before and after).
import { type Ingress, type IngressClass, type KubernetesObject, objectRef, type Secret } from '@kemu/core';
import { ObjectIndex } from '../backends.js';
import { ingressWildcardMatches, parentDomain } from '../hosts.js';
import type { RouterIssue } from '../issues.js';
import { normalizeNginxURI } from '../paths.js';
import {
  type BackendRef,
  type Consideration,
  type HTTPRequest,
  type NormalizedRequest,
  normalizeRequest,
  type RouteAnswer,
  withQuery,
} from '../request.js';
import { parseAnnotations } from './annotations.js';
import { type AnswerOptions, locationAnswer, statusAnswer } from './answer.js';
import { classifyIngress, type IngressClassOptions } from './classes.js';
import { explainLocations, routeRef } from './explain.js';
import { FastPath } from './fast-path.js';
import { type CompiledServer, compileServer, describeLocation, findLocation } from './locations.js';
import { referenceIssues } from './references.js';
import { buildServers, catchAllHost, defaultServer, hostsOf, type IngressInfo, type IngressProfile } from './servers.js';

/** Options of the ingress-nginx router. */
export interface IngressRouterOptions extends IngressClassOptions {
  /** Annotation prefix (ingress-nginx `--annotations-prefix`); default `nginx.ingress.kubernetes.io`. */
  annotationPrefix?: string;
  /** The controller's `--default-backend-service`; without it unmatched requests get 404. */
  defaultBackend?: BackendRef;
  /** ConfigMap `http-redirect-code` for ssl redirects; default 308. */
  httpRedirectCode?: number;
  /** HTTPS port written into ssl-redirect Locations (omitted when 443); default 443. */
  httpsPort?: number;
  /** `ingress-nginx` (default) or `spec` path semantics; see {@link IngressProfile}. */
  profile?: IngressProfile;
}

/** A TLS server: the host, and the Secret its oldest Ingress names (undefined → default certificate). */
export interface IngressTLSHost {
  host: string;
  ingress: string;
  secretName: string | undefined;
  secret: Secret | undefined;
}

/** Routes requests the way ingress-nginx would for a set of objects. */
export class IngressRouter {
  private readonly options: IngressRouterOptions;
  private readonly answerOptions: AnswerOptions;
  readonly index: ObjectIndex;
  private classes = new Map<string, IngressClass>();
  private readonly ingresses = new Map<string, Ingress>();
  private readonly infos = new Map<string, IngressInfo>();
  private readonly hostIndex = new Map<string, Set<string>>();
  private readonly exact = new Map<string, CompiledServer>();
  private readonly wildcard = new Map<string, CompiledServer>();
  private catchAll: CompiledServer | undefined;
  /** ingress-nginx always renders the default server; its root location is the controller default backend. */
  private readonly defaultServer = compileServer(defaultServer());
  private readonly hostIssues = new Map<string, RouterIssue[]>();
  private readonly ingressIssues = new Map<string, RouterIssue[]>();
  /** Path tables and answer plans of the exact hosts: match() answers most requests from them alone. */
  private readonly fast: FastPath;

  constructor(objects: readonly KubernetesObject[], options: IngressRouterOptions = {}, index?: ObjectIndex) {
    this.options = options;
    this.answerOptions = {
      defaultBackend: options.defaultBackend,
      httpRedirectCode: options.httpRedirectCode ?? 308,
      httpsPort: options.httpsPort ?? 443,
    };
    this.index = index ?? ObjectIndex.from(objects);
    this.fast = new FastPath(this.index, this.answerOptions);
    for (const object of objects) {
      if (object.kind === 'IngressClass') this.classes.set(object.metadata.name, object as IngressClass);
      if (object.kind === 'Ingress') this.ingresses.set(keyOf(object), object as Ingress);
    }
    this.rebuildAll();
  }

  /** Every problem found (invalid hosts/paths/annotations, conflicts, ignored Ingresses). */
  get issues(): RouterIssue[] {
    const served = [...this.infos.values()].map((i) => i.ingress);
    return [...this.ingressIssues.values(), ...this.hostIssues.values(), referenceIssues(served, this.index)].flat();
  }

  /** Number of servers (hosts, plus the catch-all). */
  get serverCount(): number {
    return this.exact.size + this.wildcard.size + (this.catchAll ? 1 : 0);
  }

  /** Adds or replaces objects. Ingresses rebuild only their hosts; IngressClasses rebuild everything. */
  apply(objects: readonly KubernetesObject[]): void {
    const hosts = new Set<string>();
    let all = false;
    for (const object of objects) {
      if (object.kind === 'IngressClass') {
        this.classes.set(object.metadata.name, object as IngressClass);
        all = true;
      } else if (object.kind === 'Ingress') {
        const key = keyOf(object);
        for (const h of this.unindex(key)) hosts.add(h);
        this.ingresses.set(key, object as Ingress);
        for (const h of this.indexIngress(key)) hosts.add(h);
      } else this.index.upsert(object);
    }
    if (all) this.rebuildAll();
    else this.rebuildHosts(hosts);
  }

  /** Deletes objects (by kind, namespace and name). */
  delete(objects: readonly Pick<KubernetesObject, 'kind' | 'metadata'>[]): void {
    const hosts = new Set<string>();
    let all = false;
    for (const object of objects) {
      if (object.kind === 'IngressClass') all = this.classes.delete(object.metadata.name) || all;
      else if (object.kind === 'Ingress') {
        const key = keyOf(object);
        for (const h of this.unindex(key)) hosts.add(h);
        this.ingresses.delete(key);
      } else this.index.remove(object);
    }
    if (all) this.rebuildAll();
    else this.rebuildHosts(hosts);
  }

  /** The answer for one request. */
  match(request: HTTPRequest): RouteAnswer {
    return this.route(normalizeRequest(request), undefined);
  }

  /** {@link match} for a request the caller normalized (to ask several routers about it, normalized once). */
  matchNormalized(request: NormalizedRequest): RouteAnswer {
    return this.route(request, undefined);
  }

  /** The answer plus every server and location considered, and why each lost. */
  explain(request: HTTPRequest): RouteAnswer {
    const steps: Consideration[] = [];
    const answer = this.route(normalizeRequest(request), steps);
    return { ...answer, explanation: steps };
  }

  /** TLS hosts for SNI, with their Secrets (resolved now). */
  tlsHosts(): IngressTLSHost[] {
    const out: IngressTLSHost[] = [];
    for (const compiled of [...this.exact.values(), ...this.wildcard.values()]) {
      const tls = compiled.server.tls;
      if (!tls) continue;
      const secret = tls.secretName ? this.index.secrets.get(`${tls.owner.namespace}/${tls.secretName}`) : undefined;
      out.push({ host: compiled.server.host, ingress: tls.owner.key, secretName: tls.secretName, secret });
    }
    return out;
  }

  private route(request: NormalizedRequest, steps: Consideration[] | undefined): RouteAnswer {
    const nginx = (this.options.profile ?? 'ingress-nginx') === 'ingress-nginx';
    const uri = nginx ? normalizeNginxURI(request.path) : request.path;
    if (uri === null) return statusAnswer(400, 'BadRequestURI', `nginx rejects "${request.path}" (bad escape or ".." above "/")`);
    const fast = steps ? undefined : this.fast.answer(request, uri, this.exactServer);
    if (fast) return fast;
    const compiled = this.serverFor(request.host, steps) ?? this.defaultServer;
    const server = compiled.server;
    if (server.appRoot && uri === '/') {
      // Server-level `if ($uri = /) { return 302 $scheme://$http_host<app-root>; }`.
      return statusAnswer(
        302,
        'AppRoot',
        'app-root annotation',
        undefined,
        `${request.scheme}://${request.hostHeader}${server.appRoot}`,
      );
    }
    const found = findLocation(compiled, uri);
    if (steps) explainLocations(compiled, found.location, uri, steps, found.how);
    found.location.ref ??= routeRef(server.host, found.location, describeLocation(compiled, found.location));
    const route = found.location.ref;
    if (found.type === 'slash-redirect') {
      return statusAnswer(
        301,
        'TrailingSlashRedirect',
        found.how,
        route,
        `${request.scheme}://${request.hostHeader}${withQuery(`${uri}/`, request.query)}`,
      );
    }
    return locationAnswer(server, found.location, route, request, uri, this.index, this.answerOptions, steps);
  }

  private readonly exactServer = (host: string): CompiledServer | undefined => this.exact.get(host);

  private serverFor(host: string, steps: Consideration[] | undefined): CompiledServer | undefined {
    const exact = this.exact.get(host);
    if (exact) {
      steps?.push({ rule: `server ${host}`, verdict: 'selected', why: 'exact host match' });
      return exact;
    }
    steps?.push({ rule: `server ${host}`, verdict: 'no-match', why: 'no rule with this exact host' });
    const parent = parentDomain(host);
    const wildcard = parent === undefined ? undefined : this.wildcard.get(parent);
    if (wildcard && ingressWildcardMatches(wildcard.server.host, host)) {
      steps?.push({ rule: `server ${wildcard.server.host}`, verdict: 'selected', why: 'wildcard covers exactly one label' });
      return wildcard;
    }
    steps?.push({
      rule: 'wildcard servers',
      verdict: 'no-match',
      why: `no *.${parent ?? host} rule (a wildcard covers exactly one label)`,
    });
    steps?.push({
      rule: 'server _ (catch-all)',
      verdict: this.catchAll ? 'selected' : 'no-match',
      why: this.catchAll ? 'host-less rules' : 'no host-less rule or defaultBackend',
    });
    return this.catchAll;
  }

  private rebuildAll(): void {
    this.infos.clear();
    this.hostIndex.clear();
    this.ingressIssues.clear();
    for (const key of this.ingresses.keys()) this.indexIngress(key);
    this.exact.clear();
    this.wildcard.clear();
    this.catchAll = undefined;
    this.hostIssues.clear();
    this.rebuildHosts(new Set(this.hostIndex.keys()), false);
    this.fast.reset(this.exact);
  }

  private indexIngress(key: string): Set<string> {
    const ingress = this.ingresses.get(key) as Ingress;
    this.ingressIssues.delete(key);
    const verdict = classifyIngress(ingress, this.classes, this.options);
    if (!verdict.served) {
      this.ingressIssues.set(key, [
        { object: objectRef(ingress), field: 'spec.ingressClassName', message: `ignored: ${verdict.why}` },
      ]);
      return new Set();
    }
    const { annotations, issues } = parseAnnotations(ingress, this.options.annotationPrefix ?? 'nginx.ingress.kubernetes.io');
    if (issues.length)
      this.ingressIssues.set(
        key,
        issues.map((i) => ({ object: objectRef(ingress), field: `metadata.annotations["${i.annotation}"]`, message: i.message })),
      );
    const created = Date.parse(ingress.metadata.creationTimestamp ?? '');
    this.infos.set(key, {
      ingress,
      key,
      namespace: ingress.metadata.namespace ?? 'default',
      annotations,
      created: Number.isNaN(created) ? 0 : created,
    });
    const hosts = hostsOf(ingress);
    for (const host of hosts) {
      const set = this.hostIndex.get(host) ?? new Set();
      set.add(key);
      this.hostIndex.set(host, set);
    }
    return hosts;
  }

  private unindex(key: string): Set<string> {
    const info = this.infos.get(key);
    this.infos.delete(key);
    this.ingressIssues.delete(key);
    if (!info) return new Set();
    const hosts = hostsOf(info.ingress);
    for (const host of hosts) this.hostIndex.get(host)?.delete(key);
    return hosts;
  }

  /** Recompiles `hosts`; `withFastPath` false leaves the path tables to a FastPath reset. */
  private rebuildHosts(hosts: ReadonlySet<string>, withFastPath = true): void {
    for (const host of hosts) {
      const keys = this.hostIndex.get(host);
      const infos = [...(keys ?? [])].map((k) => this.infos.get(k)).filter((i): i is IngressInfo => i !== undefined);
      const issues: RouterIssue[] = [];
      const profile = this.options.profile ?? 'ingress-nginx';
      const built = buildServers(infos, new Set([host]), issues, profile).get(host);
      this.hostIssues.set(host, issues);
      const compiled = built ? compileServer(built, profile) : undefined;
      if (host === catchAllHost) this.catchAll = compiled;
      else if (host.startsWith('*.')) setOrDelete(this.wildcard, host.slice(2), compiled);
      else {
        setOrDelete(this.exact, host, compiled);
        if (withFastPath) this.fast.set(host, compiled);
      }
      if (!keys?.size) this.hostIndex.delete(host);
    }
  }
}

function setOrDelete<V>(map: Map<string, V>, key: string, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}

function keyOf(object: Pick<KubernetesObject, 'metadata'>): string {
  return `${object.metadata.namespace ?? 'default'}/${object.metadata.name}`;
}
