// Turns a selected ingress-nginx location into an answer, in nginx's phase order:
// find-config (413) → rewrite (`return`, rewrite-target, ssl redirect) → access (whitelist) → proxy.
import { parseIP } from '@kemu/core';
import type { ObjectIndex } from '../backends.js';
import {
  type BackendOutcome,
  type BackendRef,
  type Consideration,
  cookieValue,
  emptyEdits,
  headerValue,
  type NormalizedRequest,
  noHeaderEdits,
  noMirrors,
  type RouteAnswer,
  type RouteRef,
  withQuery,
} from '../request.js';
import { defaultLimits } from './annotations.js';
import type { NginxLocation, NginxServer } from './servers.js';

/**
 * The request-independent part of a backend answer: the numbered Service port, its endpoints, the
 * limits and the Host override. One plan is shared by every plain location (see
 * {@link isPlainLocation}) of the same Ingress annotations and endpoint resolution, and so are the
 * objects it holds in every answer built from it: callers never mutate them.
 */
export interface BackendPlan {
  /** ObjectIndex version the endpoints were resolved at: a newer version takes the full path again. */
  version: number;
  backend: BackendRef;
  endpoints: BackendOutcome['endpoints'];
  limits: BackendOutcome['limits'];
  upstreamVhost: string | undefined;
}

/**
 * Whether the answer for `location` depends only on the location, the path, the Host header and
 * the body size: no redirect or ssl-redirect, whitelist, canary, rewrite, prefix header or
 * affinity annotation, and a Service backend. Such answers can be replayed from a {@link BackendPlan}.
 */
export function isPlainLocation(server: NginxServer, location: NginxLocation): boolean {
  const a = location.owner?.annotations;
  if (!a || location.canary || !location.backend?.service) return false;
  if (a.permanentRedirect || a.temporalRedirect || a.forceSslRedirect || (a.sslRedirect && server.tls)) return false;
  if ((a.whitelist && a.whitelist.length > 0) || a.xForwardedPrefix || a.affinity) return false;
  return a.rewriteTarget === undefined || a.rewriteTarget === location.path;
}

/** The answer a plan gives to a request (same shape and values as {@link locationAnswer}'s for a plain location). */
export function plannedAnswer(plan: BackendPlan, route: RouteRef, message: string, request: NormalizedRequest): RouteAnswer {
  const outcome: BackendOutcome = {
    type: 'backend',
    backend: plan.backend,
    endpoints: plan.endpoints,
    upstreamPath: withQuery(request.path, request.query),
    upstreamHost: plan.upstreamVhost ?? request.hostHeader,
    requestHeaders: emptyEdits,
    responseHeaders: emptyEdits,
    mirrors: noMirrors,
    limits: plan.limits,
  };
  return { dataPlane: 'ingress-nginx', outcome, route, reason: 'PathMatched', message, explanation: [] };
}

/** Options the answer step needs. */
export interface AnswerOptions {
  defaultBackend: BackendRef | undefined;
  httpRedirectCode: number;
  httpsPort: number;
}

/** A status answer. */
export function statusAnswer(status: number, reason: string, message: string, route?: RouteRef, location?: string): RouteAnswer {
  return {
    dataPlane: 'ingress-nginx',
    outcome: location ? { type: 'status', status, location } : { type: 'status', status },
    ...(route ? { route } : {}),
    reason,
    message,
    explanation: [],
  };
}

/** Whether canary takes the request (balancer.lua route_to_alternative_balancer: header → cookie → weight). */
export function canaryChosen(location: NginxLocation, request: NormalizedRequest): { canary: boolean; why: string } {
  const config = location.canary?.owner.annotations.canary;
  if (!config) return { canary: false, why: 'no canary' };
  if (config.header) {
    const value = headerValue(request, config.header);
    if (value !== undefined) {
      if (config.headerValue) {
        if (value === config.headerValue)
          return { canary: true, why: `header ${config.header}=${value} equals canary-by-header-value` };
      } else if (config.headerPattern) {
        if (config.headerPattern.test(value))
          return { canary: true, why: `header ${config.header} matches canary-by-header-pattern` };
      } else if (value === 'always') return { canary: true, why: `header ${config.header}: always` };
      else if (value === 'never') return { canary: false, why: `header ${config.header}: never` };
    }
  }
  if (config.cookie) {
    const value = cookieValue(request, config.cookie);
    if (value === 'always') return { canary: true, why: `cookie ${config.cookie}=always` };
    if (value === 'never') return { canary: false, why: `cookie ${config.cookie}=never` };
  }
  // math.random(total) <= weight, with the injected random value standing in for math.random.
  const draw = Math.floor(request.random * config.weightTotal) + 1;
  if (config.weight > 0 && draw <= config.weight)
    return { canary: true, why: `weight ${config.weight}/${config.weightTotal} (draw ${draw})` };
  return { canary: false, why: `weight ${config.weight}/${config.weightTotal} not drawn (draw ${draw})` };
}

/** Applies rewrite-target: nginx `rewrite "(?i)<path>" <target> break;` replaces the whole URI. */
export function rewriteURI(location: NginxLocation, uri: string, query: string): string | undefined {
  const target = location.owner?.annotations.rewriteTarget;
  if (target === undefined || target === location.path) return undefined;
  const match = new RegExp(location.path, 'i').exec(uri);
  if (!match) return undefined;
  const replaced = target.replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? '');
  const q = replaced.indexOf('?');
  if (q < 0) return withQuery(replaced, query);
  // A replacement with its own arguments keeps the original ones after them (nginx rewrite).
  return query ? `${replaced}&${query}` : replaced;
}

/** Builds the answer once a location is chosen. */
export function locationAnswer(
  server: NginxServer,
  location: NginxLocation,
  route: RouteRef,
  request: NormalizedRequest,
  uri: string,
  index: ObjectIndex,
  options: AnswerOptions,
  steps: Consideration[] | undefined,
): RouteAnswer {
  const a = location.owner?.annotations;
  const limits = a?.limits ?? defaultLimits;
  if (limits.maxBodyBytes > 0 && (request.contentLength ?? 0) > limits.maxBodyBytes) {
    return statusAnswer(
      413,
      'RequestEntityTooLarge',
      `body of ${request.contentLength} bytes exceeds proxy-body-size ${limits.maxBodyBytes}`,
      route,
    );
  }
  if (a?.permanentRedirect)
    return statusAnswer(
      a.permanentRedirect.code,
      'PermanentRedirect',
      'permanent-redirect annotation',
      route,
      a.permanentRedirect.url,
    );
  if (a?.temporalRedirect)
    return statusAnswer(
      a.temporalRedirect.code,
      'TemporalRedirect',
      'temporal-redirect annotation',
      route,
      a.temporalRedirect.url,
    );
  if (request.scheme === 'http' && a && (a.forceSslRedirect || (a.sslRedirect && server.tls))) {
    // lua_ingress.lua: drop one trailing slash unless preserve-trailing-slash; no port unless configured.
    let requestURI = withQuery(request.path, request.query);
    if (!a.preserveTrailingSlash && requestURI.endsWith('/')) requestURI = requestURI.slice(0, -1);
    const port = options.httpsPort === 443 ? '' : `:${options.httpsPort}`;
    const why = a.forceSslRedirect ? 'force-ssl-redirect' : `host has TLS and ssl-redirect is on`;
    return statusAnswer(options.httpRedirectCode, 'SSLRedirect', why, route, `https://${request.host}${port}${requestURI}`);
  }
  if (a?.whitelist && a.whitelist.length > 0) {
    const client = parseIP(request.clientIP);
    if (!a.whitelist.some((cidr) => cidr.family === client.family && cidr.contains(client))) {
      return statusAnswer(403, 'SourceNotAllowed', `client ${request.clientIP} is outside whitelist-source-range`, route);
    }
  }
  const canary = canaryChosen(location, request);
  if (location.canary)
    steps?.push({
      rule: `canary Ingress/${location.canary.owner.key} of ${route.rule}`,
      verdict: canary.canary ? 'selected' : 'lost',
      why: canary.why,
    });
  const owner = canary.canary ? location.canary?.owner : location.owner;
  const backend = canary.canary ? location.canary?.backend : location.backend;
  let ref: BackendRef | undefined;
  if (backend?.service && owner) {
    ref = {
      namespace: owner.namespace,
      service: backend.service.name,
      port: backend.service.port.number ?? backend.service.port.name ?? 80,
    };
  } else if (!backend) ref = options.defaultBackend;
  if (!ref) {
    if (backend?.resource)
      return statusAnswer(
        503,
        'ResourceBackend',
        `resource backend ${backend.resource.kind}/${backend.resource.name} is not served by kemu`,
        route,
      );
    return statusAnswer(
      404,
      'DefaultBackend',
      'no rule matched; the controller default backend answers 404',
      location.owner ? route : undefined,
    );
  }
  // Name the Service port by number, so answers from both routers compare equal (kemu migrate).
  // The resolution, numbered ref and message are cached on the location until endpoints change.
  const cache = canary.canary ? undefined : location.answerCache;
  const resolved =
    cache && cache.version === index.version ? cache.resolution : index.resolve(ref.namespace, ref.service, ref.port);
  if (!resolved.ok) return statusAnswer(503, resolved.problem, resolved.detail, route);
  let numbered: BackendRef;
  let message: string;
  if (cache && cache.resolution === resolved) ({ ref: numbered, message } = cache);
  else {
    numbered = { namespace: ref.namespace, service: ref.service, port: resolved.servicePort.port };
    message = `${canary.canary ? `canary (${canary.why}): ` : ''}${route.rule} → ${numbered.namespace}/${numbered.service}:${numbered.port}`;
    if (!canary.canary) location.answerCache = { resolution: resolved, version: index.version, ref: numbered, message };
  }
  const rewritten = rewriteURI(location, uri, request.query);
  let requestHeaders = emptyEdits;
  if (rewritten !== undefined || a?.xForwardedPrefix) {
    requestHeaders = noHeaderEdits();
    if (rewritten !== undefined) requestHeaders.set['X-Original-URI'] = withQuery(request.path, request.query);
    if (a?.xForwardedPrefix) requestHeaders.set['X-Forwarded-Prefix'] = a.xForwardedPrefix;
  }
  const affinity = owner?.annotations.affinity;
  const outcome: BackendOutcome = {
    type: 'backend',
    backend: numbered,
    endpoints: resolved.endpoints,
    upstreamPath: rewritten ?? withQuery(request.path, request.query),
    upstreamHost: a?.upstreamVhost ?? request.hostHeader,
    requestHeaders,
    responseHeaders: emptyEdits,
    mirrors: noMirrors,
    limits,
  };
  if (canary.canary) outcome.canary = true;
  if (affinity) outcome.affinity = { ...affinity, path: affinity.path || location.ingressPath };
  return {
    dataPlane: 'ingress-nginx',
    outcome,
    route,
    reason: canary.canary ? 'CanaryMatched' : location.isDefBackend ? 'DefaultBackend' : 'PathMatched',
    message,
    explanation: [],
  };
}
