// HTTPRoute matches and their precedence across every route of a listener
// (apis/v1/httproute_types.go, HTTPRouteRule "Proxy or Load Balancer routing configuration ...").
import type { HTTPBackendRef, HTTPRoute, HTTPRouteMatch, HTTPRouteRule } from '@kemu/core';
import { gatewayHostnameMatches } from '../hosts.js';
import { elementPrefixMatches } from '../paths.js';
import type { NormalizedRequest } from '../request.js';
import type { GatewayPlan } from './answer.js';

/** One match of one rule of one route, compiled, with its precedence key. */
export interface MatchEntry {
  route: HTTPRoute;
  routeKey: string;
  rule: HTTPRouteRule;
  ruleIndex: number;
  matchIndex: number;
  match: HTTPRouteMatch;
  pathType: 'Exact' | 'PathPrefix' | 'RegularExpression';
  pathValue: string;
  pathRegex?: RegExp;
  headers: { name: string; value: string; regex?: RegExp }[];
  query: { name: string; value: string; regex?: RegExp }[];
  created: number;
  /** For a rule without filters: answer plans by backendRef, filled as requests are answered (see answer.ts). */
  plans?: Map<HTTPBackendRef, GatewayPlan>;
}

/** Compiles the matches of a route; throws a message string for an invalid regex (route → UnsupportedValue). */
export function compileMatches(route: HTTPRoute): MatchEntry[] {
  const out: MatchEntry[] = [];
  const created = Date.parse(route.metadata.creationTimestamp ?? '');
  const routeKey = `${route.metadata.namespace ?? 'default'}/${route.metadata.name}`;
  (route.spec.rules ?? []).forEach((rule, ruleIndex) => {
    // No matches = one match of PathPrefix "/" (HTTPRouteRule.matches default).
    const matches = rule.matches?.length ? rule.matches : [{}];
    matches.forEach((match, matchIndex) => {
      const pathType = match.path?.type ?? 'PathPrefix';
      const pathValue = match.path?.value ?? '/';
      const seen = new Set<string>();
      const headers: MatchEntry['headers'] = [];
      for (const h of match.headers ?? []) {
        // A repeated header name: only the first entry counts (HTTPHeaderMatch.name).
        if (seen.has(h.name.toLowerCase())) continue;
        seen.add(h.name.toLowerCase());
        headers.push({
          name: h.name.toLowerCase(),
          value: h.value,
          ...(h.type === 'RegularExpression' ? { regex: compile(h.value, `header ${h.name}`) } : {}),
        });
      }
      const query = (match.queryParams ?? []).map((q) => ({
        name: q.name,
        value: q.value,
        ...(q.type === 'RegularExpression' ? { regex: compile(q.value, `query ${q.name}`) } : {}),
      }));
      out.push({
        route,
        routeKey,
        rule,
        ruleIndex,
        matchIndex,
        match,
        pathType,
        pathValue,
        ...(pathType === 'RegularExpression' ? { pathRegex: compile(`^(?:${pathValue})$`, `path ${pathValue}`) } : {}),
        headers,
        query,
        created: Number.isNaN(created) ? 0 : created,
        ...(rule.filters?.length ? {} : { plans: new Map() }),
      });
    });
  });
  return out;
}

function compile(source: string, what: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw `invalid RegularExpression for ${what}: ${(error as Error).message}`;
  }
}

const pathRank = { Exact: 3, PathPrefix: 2, RegularExpression: 1 } as const;

/**
 * Precedence (highest first): Exact path; PathPrefix with most characters (RegularExpression,
 * implementation-specific, ranks after PathPrefix here); a method match; most header matches; most
 * query matches; oldest route; namespace/name alphabetical; rule order; match order.
 */
export function comparePrecedence(a: MatchEntry, b: MatchEntry): number {
  return (
    pathRank[b.pathType] - pathRank[a.pathType] ||
    b.pathValue.length - a.pathValue.length ||
    Number(b.match.method !== undefined) - Number(a.match.method !== undefined) ||
    b.headers.length - a.headers.length ||
    b.query.length - a.query.length ||
    a.created - b.created ||
    (a.routeKey < b.routeKey ? -1 : a.routeKey > b.routeKey ? 1 : 0) ||
    a.ruleIndex - b.ruleIndex ||
    a.matchIndex - b.matchIndex
  );
}

/** First value of a query parameter (names case-sensitive; first occurrence wins). */
function queryParam(query: string, name: string): string | undefined {
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    if (key === name) return decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1).replace(/\+/g, ' '));
  }
  return undefined;
}

/** The first condition of a match a request fails. */
type Failure = { on: 'path' } | { on: 'method' } | { on: 'header' | 'query'; name: string; value: string };

const pathFailure: Failure = { on: 'path' };
const methodFailure: Failure = { on: 'method' };

/** The condition of `entry` the request fails first, or undefined when it matches (no message: match() asks this of every entry it tries). */
function firstFailure(entry: MatchEntry, request: NormalizedRequest): Failure | undefined {
  const path = request.path;
  if (
    entry.pathType === 'Exact'
      ? path !== entry.pathValue
      : entry.pathType === 'PathPrefix'
        ? !elementPrefixMatches(entry.pathValue, path)
        : !entry.pathRegex?.test(path)
  ) {
    return pathFailure;
  }
  if (entry.match.method && entry.match.method !== request.method) return methodFailure;
  for (const h of entry.headers) {
    const values = request.headers.get(h.name);
    const value = values?.join(',');
    if (value === undefined || (h.regex ? !h.regex.test(value) : value !== h.value))
      return { on: 'header', name: h.name, value: h.value };
  }
  for (const q of entry.query) {
    const value = queryParam(request.query, q.name);
    if (value === undefined || (q.regex ? !q.regex.test(value) : value !== q.value))
      return { on: 'query', name: q.name, value: q.value };
  }
  return undefined;
}

/** Whether the request satisfies every condition of the entry. */
export function entryMatches(entry: MatchEntry, request: NormalizedRequest): boolean {
  return firstFailure(entry, request) === undefined;
}

/** Why an entry does not match the request, or undefined when it does. */
export function entryMismatch(entry: MatchEntry, request: NormalizedRequest): string | undefined {
  const failure = firstFailure(entry, request);
  if (!failure) return undefined;
  if (failure.on === 'path') return `path ${entry.pathType} ${entry.pathValue} does not match ${request.path}`;
  if (failure.on === 'method') return `method ${entry.match.method} ≠ ${request.method}`;
  return `${failure.on} ${failure.name} is not ${failure.value}`;
}

/** Hostname specificity of a route for a host: [non-wildcard length, matching length]; undefined = no match. */
export function hostnameScore(hostnames: readonly string[], host: string): [number, number] | undefined {
  if (hostnames.length === 0) return [0, 0];
  let best: [number, number] | undefined;
  for (const h of hostnames) {
    if (!gatewayHostnameMatches(h, host)) continue;
    const score: [number, number] = h.startsWith('*.') ? [0, h.length] : [h.length, h.length];
    if (!best || score[0] > best[0] || (score[0] === best[0] && score[1] > best[1])) best = score;
  }
  return best;
}
