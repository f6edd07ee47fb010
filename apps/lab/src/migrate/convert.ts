import {
  type HTTPRoute,
  type HTTPRouteFilter,
  type HTTPRouteRule,
  type Ingress,
  type KubernetesObject,
  ofKind,
  type Service,
} from '@kemu/core';
import { nginxPrefix, translatedAnnotations, verdictForOtherAnnotation } from './annotations.js';
import { resolveBackend } from './backends.js';
import { type CanaryBackend, canaryRules } from './canary.js';
import { servedByIngressNginx } from './classes.js';
import { hostSlug, ListenerSet } from './listeners.js';
import { translatePath } from './paths.js';
import { redirectFilter, redirectVerdict } from './redirects.js';
import type { MigrationReport, ReportEntry } from './report.js';

/** Options of {@link convertIngresses}. */
export interface ConvertOptions {
  /** Name of the Gateway(s) created; default `ingress`. */
  gateway?: string;
  /** Put one shared Gateway in this namespace instead of one per Ingress namespace. */
  gatewayNamespace?: string;
  /** gatewayClassName of the Gateway; default `kemu`. */
  gatewayClass?: string;
}

/** The Gateway API objects and the report of every annotation and construct. */
export interface ConversionResult {
  objects: KubernetesObject[];
  report: MigrationReport;
}

const refOf = (i: Ingress) => `Ingress/${i.metadata.namespace}/${i.metadata.name}`;
const nginx = (i: Ingress, name: string) => i.metadata.annotations?.[`${nginxPrefix}${name}`];
const age = (i: Ingress) => i.metadata.creationTimestamp ?? '';

/**
 * Converts the Ingresses ingress-nginx would serve into a Gateway (listeners per host, HTTP and
 * HTTPS) and HTTPRoutes (one per Ingress and host), keeping ingress-nginx's answers where Gateway
 * API can express them and saying exactly where it cannot.
 */
export function convertIngresses(objects: readonly KubernetesObject[], options: ConvertOptions = {}): ConversionResult {
  const report: ReportEntry[] = [];
  const { served, skipped } = servedByIngressNginx(objects);
  for (const { ingress, reason } of skipped)
    report.push({ object: refOf(ingress), subject: 'ingress class', verdict: 'refused', detail: `not converted: ${reason}` });
  const services = new Map(
    (ofKind(objects, 'Service') as Service[]).map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]),
  );
  // ingress-nginx processes Ingresses oldest first; the oldest wins a host+path conflict.
  const ordered = [...served].sort((a, b) => age(a).localeCompare(age(b)) || refOf(a).localeCompare(refOf(b)));
  const mains = ordered.filter((i) => nginx(i, 'canary') !== 'true');
  const canaries = ordered.filter((i) => nginx(i, 'canary') === 'true');
  const regexHosts = new Set(
    mains
      .filter((i) => nginx(i, 'use-regex') === 'true' || nginx(i, 'rewrite-target') !== undefined)
      .flatMap((i) => (i.spec.rules ?? []).map((r) => r.host ?? '')),
  );
  const listenerSets = new Map<string, ListenerSet>();
  const routes: HTTPRoute[] = [];
  const claimed = new Map<string, string>();
  const redirectedHosts = new Set<string>();

  // TLS is per host in ingress-nginx (one server block): the oldest Ingress naming a host in its
  // tls section gives the certificate for every Ingress of that host.
  const tlsSecrets = new Map<string, string | undefined>();
  for (const ingress of mains) {
    for (const tls of ingress.spec.tls ?? [])
      for (const host of tls.hosts ?? []) if (!tlsSecrets.has(host)) tlsSecrets.set(host, tls.secretName);
  }

  for (const ingress of mains) {
    const namespace = ingress.metadata.namespace!;
    const gatewayNamespace = options.gatewayNamespace ?? namespace;
    const listeners = listenerSets.get(gatewayNamespace) ?? new ListenerSet();
    listenerSets.set(gatewayNamespace, listeners);
    const object = refOf(ingress);
    reportOtherAnnotations(ingress, report);
    const hosts = new Map<string, NonNullable<Ingress['spec']['rules']>[number][]>();
    for (const rule of ingress.spec.rules ?? []) hosts.set(rule.host ?? '', [...(hosts.get(rule.host ?? '') ?? []), rule]);
    const redirect = redirectFilter(ingress);
    const rewriteTarget = nginx(ingress, 'rewrite-target');
    const common = commonFilters(ingress, report);
    for (const [host, rules] of hosts) {
      const routeRules: HTTPRouteRule[] = [];
      if (host.startsWith('*.')) {
        report.push({
          object,
          subject: `host ${host}`,
          verdict: 'translated-with-difference',
          detail: `an Ingress wildcard covers exactly one label; a Gateway API wildcard covers any number (a.b${host.slice(1)} now matches too)`,
        });
      }
      for (const path of rules.flatMap((r) => r.http?.paths ?? [])) {
        const subject = `host ${host || '*'} path ${path.path ?? '/'} (${path.pathType})`;
        const key = `${host}\u0000${path.pathType === 'Exact' ? '=' : ''}${path.path ?? '/'}`;
        const owner = claimed.get(key);
        if (owner) {
          report.push({
            object,
            subject,
            verdict: 'translated',
            detail: `left out: ${owner} is older and wins this host and path, as in ingress-nginx`,
          });
          continue;
        }
        claimed.set(key, object);
        const hostPaths = rules.flatMap((r) => r.http?.paths ?? []).map((p) => p.path ?? '/');
        const shadowed = hostPaths.some((other) => other !== (path.path ?? '/') && (path.path ?? '/').startsWith(other));
        const translation = translatePath(path, regexHosts.has(host), rewriteTarget, shadowed);
        if (translation.refused || !translation.match) {
          report.push({ object, subject, verdict: 'refused', detail: translation.refused ?? 'no match' });
          continue;
        }
        const backend = resolveBackend(path.backend, namespace, services);
        if ('refused' in backend) {
          report.push({ object, subject, verdict: 'refused', detail: backend.refused });
          continue;
        }
        report.push(
          translation.difference
            ? { object, subject, verdict: 'translated-with-difference', detail: translation.difference }
            : { object, subject, verdict: 'translated', detail: translation.exact ?? 'translated' },
        );
        const filters = withRewrite(common.filters, translation.rewritePath, nginx(ingress, 'upstream-vhost'));
        const base: Omit<HTTPRouteRule, 'matches' | 'backendRefs'> = {
          ...(filters.length ? { filters } : {}),
          ...(common.timeouts ? { timeouts: common.timeouts } : {}),
        };
        if (redirect) {
          routeRules.push({ matches: [translation.match, ...(translation.extraMatches ?? [])], filters: [redirect] });
          continue;
        }
        const canary = findCanary(canaries, host, path.path ?? '/', services);
        routeRules.push(
          ...(canary
            ? canaryRules(translation.match, backend.ref, canary, base, report)
            : [{ ...base, matches: [translation.match, ...(translation.extraMatches ?? [])], backendRefs: [backend.ref] }]),
        );
      }
      addDefaultBackendRule(ingress, routeRules, services, report);
      addAppRoot(ingress, routeRules, report);
      if (routeRules.length === 0) continue;
      const parents = attach(ingress, host, tlsSecrets, listeners, gatewayNamespace, redirectedHosts, routes, options, report);
      routes.push(httpRoute(ingress, host, routeRules, parents, options));
    }
    if (hosts.size === 0 && ingress.spec.defaultBackend) {
      const rules: HTTPRouteRule[] = [];
      addDefaultBackendRule(ingress, rules, services, report);
      if (rules.length > 0) routes.push(httpRoute(ingress, '', rules, [listeners.catchAll()], options, gatewayNamespace));
    }
    if (redirect) report.push(redirectVerdict(ingress));
  }
  if (mains.length > 0) {
    report.push({
      object: 'all Ingresses',
      subject: 'path normalization',
      verdict: 'translated-with-difference',
      detail:
        'ingress-nginx matches the normalized URI (%XX decoded, dot-segments resolved, // merged); Gateway API leaves normalization to the implementation, and kemu matches the path as sent',
    });
  }
  const gatewayName = options.gateway ?? 'ingress';
  const result: KubernetesObject[] = [];
  for (const [namespace, listeners] of listenerSets) {
    if (listeners.size > 64)
      report.push({
        object: `Gateway/${namespace}/${gatewayName}`,
        subject: 'listeners',
        verdict: 'refused',
        detail: `${listeners.size} listeners; Gateway API allows 64 per Gateway: split the hosts over several Gateways`,
      });
    result.push(listeners.gateway(gatewayName, namespace, options.gatewayClass ?? 'kemu'), ...listeners.referenceGrants());
  }
  for (const route of routes) {
    for (const parent of route.spec.parentRefs ?? []) parent.name = gatewayName;
  }
  result.push(...routes);
  return { objects: result, report: { entries: report } };
}

function reportOtherAnnotations(ingress: Ingress, report: ReportEntry[]): void {
  for (const name of Object.keys(ingress.metadata.annotations ?? {})) {
    if (name.startsWith(nginxPrefix) && translatedAnnotations.has(name.slice(nginxPrefix.length))) continue;
    report.push({ object: refOf(ingress), subject: name, ...verdictForOtherAnnotation(name) });
  }
}

/** Filters that apply to every rule of an Ingress: X-Forwarded-Prefix, timeouts, backend protocol. */
function commonFilters(
  ingress: Ingress,
  report: ReportEntry[],
): { filters: HTTPRouteFilter[]; timeouts?: HTTPRouteRule['timeouts'] } {
  const object = refOf(ingress);
  const filters: HTTPRouteFilter[] = [];
  const prefix = nginx(ingress, 'x-forwarded-prefix');
  if (prefix) {
    filters.push({
      type: 'RequestHeaderModifier',
      requestHeaderModifier: { set: [{ name: 'X-Forwarded-Prefix', value: prefix }] },
    });
    report.push({
      object,
      subject: `${nginxPrefix}x-forwarded-prefix`,
      verdict: 'translated',
      detail: `RequestHeaderModifier sets X-Forwarded-Prefix: ${prefix}`,
    });
  }
  let timeouts: HTTPRouteRule['timeouts'];
  const read = nginx(ingress, 'proxy-read-timeout');
  if (read) {
    timeouts = { backendRequest: `${Number.parseInt(read, 10)}s` };
    report.push({
      object,
      subject: `${nginxPrefix}proxy-read-timeout`,
      verdict: 'translated-with-difference',
      detail: `timeouts.backendRequest ${timeouts.backendRequest}: nginx bounds the wait between two reads, Gateway API the whole backend request`,
    });
  }
  for (const name of ['proxy-send-timeout', 'proxy-connect-timeout']) {
    if (nginx(ingress, name))
      report.push({
        object,
        subject: `${nginxPrefix}${name}`,
        verdict: 'refused',
        detail: 'Gateway API v1 has only request and backendRequest timeouts',
      });
  }
  const protocol = nginx(ingress, 'backend-protocol');
  if (protocol) {
    report.push(
      protocol.toUpperCase() === 'HTTP'
        ? {
            object,
            subject: `${nginxPrefix}backend-protocol`,
            verdict: 'translated',
            detail: 'HTTP is what an HTTPRoute speaks to its backends',
          }
        : {
            object,
            subject: `${nginxPrefix}backend-protocol`,
            verdict: 'refused',
            detail: `${protocol} backends need a BackendTLSPolicy or a GRPCRoute, not an HTTPRoute`,
          },
    );
  }
  if (nginx(ingress, 'upstream-vhost'))
    report.push({
      object,
      subject: `${nginxPrefix}upstream-vhost`,
      verdict: 'translated',
      detail: `URLRewrite hostname ${nginx(ingress, 'upstream-vhost')}`,
    });
  if (nginx(ingress, 'use-regex') !== undefined)
    report.push({
      object,
      subject: `${nginxPrefix}use-regex`,
      verdict: 'translated-with-difference',
      detail: 'paths become RegularExpression matches; ingress-nginx matches them case-insensitively',
    });
  return { filters, timeouts };
}

function withRewrite(
  filters: HTTPRouteFilter[],
  path: NonNullable<HTTPRouteFilter['urlRewrite']>['path'] | undefined,
  hostname: string | undefined,
): HTTPRouteFilter[] {
  if (!path && !hostname) return filters;
  return [...filters, { type: 'URLRewrite', urlRewrite: { ...(hostname ? { hostname } : {}), ...(path ? { path } : {}) } }];
}

function findCanary(
  canaries: Ingress[],
  host: string,
  path: string,
  services: ReadonlyMap<string, Service>,
): CanaryBackend | undefined {
  for (const ingress of canaries) {
    for (const rule of ingress.spec.rules ?? []) {
      if ((rule.host ?? '') !== host) continue;
      const entry = rule.http?.paths.find((p) => (p.path ?? '/') === path);
      if (!entry) continue;
      const backend = resolveBackend(entry.backend, ingress.metadata.namespace!, services);
      if ('ref' in backend) return { ingress, backend: backend.ref };
    }
  }
  return undefined;
}

function addDefaultBackendRule(
  ingress: Ingress,
  rules: HTTPRouteRule[],
  services: ReadonlyMap<string, Service>,
  report: ReportEntry[],
): void {
  if (!ingress.spec.defaultBackend) return;
  const backend = resolveBackend(ingress.spec.defaultBackend, ingress.metadata.namespace!, services);
  if ('refused' in backend) {
    report.push({ object: refOf(ingress), subject: 'defaultBackend', verdict: 'refused', detail: backend.refused });
    return;
  }
  const hasRoot = rules.some((r) => r.matches?.some((m) => m.path?.type === 'PathPrefix' && m.path.value === '/'));
  if (hasRoot) {
    report.push({
      object: refOf(ingress),
      subject: 'defaultBackend',
      verdict: 'translated',
      detail: 'the rule for / already catches every unmatched path of this host; other hosts get 404 in both',
    });
    return;
  }
  // ingress-nginx uses the Ingress's defaultBackend as the `/` location of each host it creates.
  rules.push({ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [backend.ref] });
  report.push({
    object: refOf(ingress),
    subject: 'defaultBackend',
    verdict: 'translated',
    detail: `PathPrefix / rule to ${backend.ref.name}:${backend.ref.port}`,
  });
}

function addAppRoot(ingress: Ingress, rules: HTTPRouteRule[], report: ReportEntry[]): void {
  const appRoot = nginx(ingress, 'app-root');
  if (!appRoot) return;
  // ingress-nginx: `if ($uri = /) { return 302 $scheme://$http_host<app-root>; }`.
  rules.unshift({
    matches: [{ path: { type: 'Exact', value: '/' } }],
    filters: [
      {
        type: 'RequestRedirect',
        requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: appRoot }, statusCode: 302 },
      },
    ],
  });
  report.push({
    object: refOf(ingress),
    subject: `${nginxPrefix}app-root`,
    verdict: 'translated',
    detail: `Exact / → RequestRedirect 302 to ${appRoot}`,
  });
}

/** The listeners a host's route attaches to, adding the HTTP→HTTPS redirect route ingress-nginx does. */
function attach(
  ingress: Ingress,
  host: string,
  tlsSecrets: Map<string, string | undefined>,
  listeners: ListenerSet,
  gatewayNamespace: string,
  redirectedHosts: Set<string>,
  routes: HTTPRoute[],
  options: ConvertOptions,
  report: ReportEntry[],
): string[] {
  if (!host) return [listeners.catchAll()];
  const object = refOf(ingress);
  const forced = nginx(ingress, 'force-ssl-redirect') === 'true';
  if (!tlsSecrets.has(host)) {
    report.push({
      object,
      subject: `host ${host} without TLS`,
      verdict: 'translated-with-difference',
      detail:
        'ingress-nginx also answers this host over HTTPS with its default self-signed certificate; the Gateway has no HTTPS listener for it (add a tls section to get one)',
    });
    if (forced)
      report.push({
        object,
        subject: `${nginxPrefix}force-ssl-redirect`,
        verdict: 'refused',
        detail: `no TLS section for ${host}: TLS is terminated before ingress-nginx, and Gateway API cannot tell such a request from plain HTTP`,
      });
    return [listeners.http(host)];
  }
  const https = listeners.https(host, tlsSecrets.get(host), ingress.metadata.namespace!, gatewayNamespace);
  const sslRedirect = forced || nginx(ingress, 'ssl-redirect') !== 'false';
  if (!sslRedirect) {
    report.push({
      object,
      subject: `${nginxPrefix}ssl-redirect`,
      verdict: 'translated',
      detail: `"false": the route serves ${host} on HTTP and HTTPS`,
    });
    return [https, listeners.http(host)];
  }
  const http = listeners.http(host);
  if (!redirectedHosts.has(host)) {
    redirectedHosts.add(host);
    const preserve = nginx(ingress, 'preserve-trailing-slash') === 'true';
    routes.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: `${hostSlug(host)}-https-redirect`,
        namespace: ingress.metadata.namespace,
        annotations: { 'kemu.dev/migrated-from': object },
      },
      spec: {
        parentRefs: [{ name: options.gateway ?? 'ingress', namespace: gatewayNamespace, sectionName: http }],
        hostnames: [host],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 308 } }] }],
      },
    });
    report.push(
      preserve
        ? {
            object,
            subject: 'TLS / ssl-redirect',
            verdict: 'translated',
            detail: `HTTP ${host} → RequestRedirect https 308 (ingress-nginx's http-redirect-code)`,
          }
        : {
            object,
            subject: 'TLS / ssl-redirect',
            verdict: 'translated-with-difference',
            detail: `HTTP ${host} → RequestRedirect https 308; ingress-nginx also strips a trailing "/" from the redirect target (preserve-trailing-slash is off), the Gateway keeps it`,
          },
    );
  }
  return [https];
}

function httpRoute(
  ingress: Ingress,
  host: string,
  rules: HTTPRouteRule[],
  sections: string[],
  options: ConvertOptions,
  gatewayNamespace?: string,
): HTTPRoute {
  const namespace = ingress.metadata.namespace!;
  const copied = Object.fromEntries(
    Object.entries(ingress.metadata.annotations ?? {}).filter(
      ([k]) => !k.startsWith(nginxPrefix) && k !== 'kubernetes.io/ingress.class' && !k.startsWith('kubectl.kubernetes.io/'),
    ),
  );
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: host ? `${ingress.metadata.name}-${hostSlug(host)}` : ingress.metadata.name,
      namespace,
      annotations: { ...copied, 'kemu.dev/migrated-from': refOf(ingress) },
    },
    spec: {
      parentRefs: sections.map((sectionName) => ({
        name: options.gateway ?? 'ingress',
        ...((options.gatewayNamespace ?? gatewayNamespace ?? namespace) !== namespace
          ? { namespace: options.gatewayNamespace ?? gatewayNamespace }
          : {}),
        sectionName,
      })),
      ...(host ? { hostnames: [host] } : {}),
      rules,
    },
  };
}
