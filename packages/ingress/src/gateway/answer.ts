// The answer for a chosen HTTPRoute match: filters in order, then a weighted backendRef.
// Failure codes follow the conformance suite: no/invalid backends → 500, no endpoints → 503.
import type { HTTPBackendRef, HTTPRouteFilter, ReferenceGrant } from '@kemu/core';
import type { ObjectIndex } from '../backends.js';
import {
  type BackendOutcome,
  emptyEdits,
  type NormalizedRequest,
  noHeaderEdits,
  noMirrors,
  type RouteAnswer,
  type RouteRef,
  type StatusOutcome,
  withQuery,
} from '../request.js';
import { backendRefProblem } from './attach.js';
import { applyHeaderModifier, redirectLocation, rewriteURL } from './filters.js';
import type { MatchEntry } from './rules.js';

/** Defaults when a rule sets no timeouts; Gateway API has no body limit. */
const gatewayLimits = { maxBodyBytes: 0, connectTimeoutMs: 5_000, readTimeoutMs: 60_000, sendTimeoutMs: 60_000 };

/** A GEP-2257 duration (`1h`, `30s`, `500ms`, `1m30s`) in ms; undefined when malformed or zero (= no timeout). */
export function parseGatewayDuration(value: string | undefined): number | undefined {
  if (!value || !/^(\d+(h|ms|m|s))+$/.test(value)) return undefined;
  let ms = 0;
  for (const [, n, unit] of value.matchAll(/(\d+)(h|ms|m|s)/g)) {
    ms += Number(n) * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1_000 : 1);
  }
  return ms > 0 ? ms : undefined;
}

/** Upstream limits for a rule: `timeouts.backendRequest`, else `timeouts.request`, bound the wait for the backend. */
function ruleLimits(timeouts: { request?: string; backendRequest?: string } | undefined): typeof gatewayLimits {
  const ms = parseGatewayDuration(timeouts?.backendRequest) ?? parseGatewayDuration(timeouts?.request);
  return ms === undefined ? gatewayLimits : { ...gatewayLimits, readTimeoutMs: ms, sendTimeoutMs: ms };
}

/** A status answer from the Gateway router. */
export function gatewayStatus(status: number, reason: string, message: string, route?: RouteRef, location?: string): RouteAnswer {
  const outcome: StatusOutcome = location ? { type: 'status', status, location } : { type: 'status', status };
  return route
    ? { dataPlane: 'gateway', outcome, route, reason, message, explanation: [] }
    : { dataPlane: 'gateway', outcome, reason, message, explanation: [] };
}

/** Picks a backendRef by weight with the injected random value; undefined when every weight is 0. */
export function pickWeighted<T extends { weight?: number }>(refs: readonly T[], random: number): T | undefined {
  const total = refs.reduce((sum, r) => sum + (r.weight ?? 1), 0);
  if (total <= 0) return undefined;
  let draw = random * total;
  for (const ref of refs) {
    const w = ref.weight ?? 1;
    if (w <= 0) continue;
    if (draw < w) return ref;
    draw -= w;
  }
  return refs.findLast((r) => (r.weight ?? 1) > 0);
}

function applyFilters(
  filters: readonly HTTPRouteFilter[],
  outcome: BackendOutcome,
  request: NormalizedRequest,
  prefix: string,
): void {
  for (const filter of filters) {
    if (filter.type === 'RequestHeaderModifier') applyHeaderModifier(outcome.requestHeaders, filter.requestHeaderModifier);
    else if (filter.type === 'ResponseHeaderModifier')
      applyHeaderModifier(outcome.responseHeaders, filter.responseHeaderModifier);
    else if (filter.type === 'URLRewrite' && filter.urlRewrite) {
      const rewritten = rewriteURL(filter.urlRewrite, request, prefix);
      outcome.upstreamPath = rewritten.path;
      if (rewritten.host) outcome.upstreamHost = rewritten.host;
    }
  }
}

/**
 * The request-independent part of the answer of a rule without filters for one of its backendRefs,
 * resolved at one ObjectIndex version; answers built from it share its objects (never mutated).
 */
export interface GatewayPlan {
  version: number;
  route: RouteRef;
  message: string;
  backend: BackendOutcome['backend'];
  endpoints: BackendOutcome['endpoints'];
  limits: BackendOutcome['limits'];
}

/** The answer a plan gives (same values as {@link ruleAnswer}'s full path for a rule without filters). */
function plannedAnswer(plan: GatewayPlan, request: NormalizedRequest): RouteAnswer {
  const outcome: BackendOutcome = {
    type: 'backend',
    backend: plan.backend,
    endpoints: plan.endpoints,
    upstreamPath: withQuery(request.path, request.query),
    upstreamHost: request.hostHeader,
    requestHeaders: emptyEdits,
    responseHeaders: emptyEdits,
    mirrors: noMirrors,
    limits: plan.limits,
  };
  return { dataPlane: 'gateway', outcome, route: plan.route, reason: 'RuleMatched', message: plan.message, explanation: [] };
}

/** Builds the answer for the chosen match: replayed from the entry's plan when the rule has no filters and the plan is current. */
export function ruleAnswer(
  entry: MatchEntry,
  request: NormalizedRequest,
  index: ObjectIndex,
  grants: readonly ReferenceGrant[],
): RouteAnswer {
  const planned = entry.plans && pickWeighted(entry.rule.backendRefs ?? [], request.random);
  const plan = planned && entry.plans?.get(planned);
  if (plan && plan.version === index.version) return plannedAnswer(plan, request);
  const answer = fullRuleAnswer(entry, request, index, grants);
  if (entry.plans && planned && !planned.filters?.length && answer.outcome.type === 'backend' && answer.route)
    entry.plans.set(planned, {
      version: index.version,
      route: answer.route,
      message: answer.message,
      backend: answer.outcome.backend,
      endpoints: answer.outcome.endpoints,
      limits: answer.outcome.limits,
    });
  return answer;
}

function fullRuleAnswer(
  entry: MatchEntry,
  request: NormalizedRequest,
  index: ObjectIndex,
  grants: readonly ReferenceGrant[],
): RouteAnswer {
  const ns = entry.route.metadata.namespace ?? 'default';
  const route: RouteRef = {
    kind: 'HTTPRoute',
    namespace: ns,
    name: entry.route.metadata.name,
    rule: `rules[${entry.ruleIndex}].matches[${entry.matchIndex}]${entry.rule.name ? ` (${entry.rule.name})` : ''}: ${entry.pathType} ${entry.pathValue}`,
  };
  const filters = entry.rule.filters ?? [];
  const prefix = entry.pathType === 'PathPrefix' ? entry.pathValue : '/';
  const responseHeaders = noHeaderEdits();
  for (const f of filters)
    if (f.type === 'ResponseHeaderModifier') applyHeaderModifier(responseHeaders, f.responseHeaderModifier);
  const redirect = filters.find((f) => f.type === 'RequestRedirect')?.requestRedirect;
  if (redirect) {
    const location = redirectLocation(redirect, request, prefix);
    return {
      ...gatewayStatus(redirect.statusCode ?? 302, 'RequestRedirect', `redirect to ${location}`, route, location),
      outcome: { type: 'status', status: redirect.statusCode ?? 302, location, responseHeaders },
    };
  }
  const extension = filters.find((f) => f.type === 'ExtensionRef' || f.type === 'CORS');
  if (extension)
    return gatewayStatus(
      500,
      'UnsupportedFilter',
      `filter ${extension.type} cannot be resolved by kemu; the spec requires an error response`,
      route,
    );
  const refs: readonly HTTPBackendRef[] = entry.rule.backendRefs ?? [];
  if (refs.length === 0)
    return gatewayStatus(500, 'NoBackends', 'rule has no backendRefs (HTTPRouteRule.backendRefs: 500)', route);
  const ref = pickWeighted(refs, request.random);
  if (!ref) return gatewayStatus(500, 'AllWeightsZero', 'every backendRef has weight 0', route);
  const problem = backendRefProblem(ref, ns, index, grants);
  if (problem)
    return gatewayStatus(500, problem.reason, `${problem.message} (an invalid backendRef's share of requests gets 500)`, route);
  const refNs = ref.namespace ?? ns;
  const resolved = index.resolve(refNs, ref.name, ref.port);
  if (!resolved.ok) {
    const status = resolved.problem === 'NoReadyEndpoints' ? 503 : 500;
    return gatewayStatus(status, resolved.problem, resolved.detail, route);
  }
  const outcome: BackendOutcome = {
    type: 'backend',
    backend: { namespace: refNs, service: ref.name, port: ref.port as number },
    endpoints: resolved.endpoints,
    upstreamPath: withQuery(request.path, request.query),
    upstreamHost: request.hostHeader,
    requestHeaders: noHeaderEdits(),
    responseHeaders: noHeaderEdits(),
    mirrors: [],
    limits: ruleLimits(entry.rule.timeouts),
  };
  applyFilters(filters, outcome, request, prefix);
  applyFilters(ref.filters ?? [], outcome, request, prefix);
  for (const f of filters) {
    const mirror = f.requestMirror;
    if (f.type !== 'RequestMirror' || !mirror) continue;
    const percent = mirror.fraction
      ? (100 * mirror.fraction.numerator) / (mirror.fraction.denominator ?? 100)
      : (mirror.percent ?? 100);
    if (request.random * 100 >= percent) continue;
    const mNs = mirror.backendRef.namespace ?? ns;
    if (backendRefProblem(mirror.backendRef, ns, index, grants)) continue;
    const m = index.resolve(mNs, mirror.backendRef.name, mirror.backendRef.port);
    if (m.ok)
      outcome.mirrors.push({
        backend: { namespace: mNs, service: mirror.backendRef.name, port: mirror.backendRef.port as number },
        endpoints: m.endpoints,
      });
  }
  return {
    dataPlane: 'gateway',
    outcome,
    route,
    reason: 'RuleMatched',
    message: `${route.rule} → ${refNs}/${ref.name}:${ref.port}`,
    explanation: [],
  };
}
