// HTTPRoute filters (apis/v1/httproute_types.go HTTPRouteFilter and its conformance tests):
// header modifiers, RequestRedirect (default 302, well-known port rules), URLRewrite.
import type { HTTPRouteFilter } from '@kemu/core';
import { trimTrailingSlash } from '../paths.js';
import { type HeaderEdits, type NormalizedRequest, withQuery } from '../request.js';

/** Replaces the matched prefix element-wise (ReplacePrefixMatch); trailing slashes never double. */
export function replacePrefixMatch(prefix: string, path: string, replacement: string): string {
  const p = trimTrailingSlash(prefix);
  const rest = path.slice(p.length);
  const r = trimTrailingSlash(replacement);
  const out = r + rest;
  return out === '' ? '/' : out.startsWith('/') ? out : `/${out}`;
}

/** Merges a header modifier into edits (set replaces, add appends, remove deletes). */
export function applyHeaderModifier(edits: HeaderEdits, modifier: HTTPRouteFilter['requestHeaderModifier']): void {
  for (const h of modifier?.set ?? []) edits.set[h.name] = h.value;
  for (const h of modifier?.add ?? []) edits.add[h.name] = h.value;
  edits.remove.push(...(modifier?.remove ?? []));
}

/** The Location of a RequestRedirect filter. */
export function redirectLocation(
  filter: NonNullable<HTTPRouteFilter['requestRedirect']>,
  request: NormalizedRequest,
  matchedPrefix: string,
): string {
  const scheme = filter.scheme ?? request.scheme;
  const host = filter.hostname ?? request.host;
  // Port: explicit; else the scheme's well-known port when a scheme is set; else the listener port.
  const port = filter.port ?? (filter.scheme ? (filter.scheme === 'https' ? 443 : 80) : request.port);
  const showPort = !((scheme === 'http' && port === 80) || (scheme === 'https' && port === 443));
  let path = request.path;
  if (filter.path?.type === 'ReplaceFullPath') path = filter.path.replaceFullPath ?? '/';
  else if (filter.path?.type === 'ReplacePrefixMatch')
    path = replacePrefixMatch(matchedPrefix, request.path, filter.path.replacePrefixMatch ?? '/');
  const authority = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}://${authority}${showPort ? `:${port}` : ''}${withQuery(path, request.query)}`;
}

/** The upstream path and host after a URLRewrite filter. */
export function rewriteURL(
  filter: NonNullable<HTTPRouteFilter['urlRewrite']>,
  request: NormalizedRequest,
  matchedPrefix: string,
): { path: string; host?: string } {
  let path = request.path;
  if (filter.path?.type === 'ReplaceFullPath') path = filter.path.replaceFullPath ?? '/';
  else if (filter.path?.type === 'ReplacePrefixMatch')
    path = replacePrefixMatch(matchedPrefix, request.path, filter.path.replacePrefixMatch ?? '/');
  return { path: withQuery(path, request.query), ...(filter.hostname ? { host: filter.hostname } : {}) };
}

/** Why a rule's filters are invalid together (route → Accepted=False UnsupportedValue), if they are. */
export function invalidFilters(
  filters: readonly HTTPRouteFilter[],
  hasBackends: boolean,
  singlePrefixMatch: boolean,
): string | undefined {
  const types = filters.map((f) => f.type);
  const known = [
    'RequestHeaderModifier',
    'ResponseHeaderModifier',
    'RequestRedirect',
    'URLRewrite',
    'RequestMirror',
    'ExtensionRef',
    'CORS',
  ];
  const unknown = types.find((t) => !known.includes(t));
  if (unknown) return `filter type "${unknown}" is not supported`;
  if (types.includes('RequestRedirect') && types.includes('URLRewrite'))
    return 'RequestRedirect and URLRewrite cannot be used together';
  if (types.includes('RequestRedirect') && hasBackends) return 'RequestRedirect cannot be combined with backendRefs';
  for (const t of known) {
    if (t !== 'RequestMirror' && types.filter((x) => x === t).length > 1) return `filter ${t} may appear at most once per rule`;
  }
  const prefixReplace = filters.some((f) => (f.requestRedirect?.path ?? f.urlRewrite?.path)?.type === 'ReplacePrefixMatch');
  if (prefixReplace && !singlePrefixMatch) return 'ReplacePrefixMatch needs the rule to have PathPrefix matches only';
  const status = filters.find((f) => f.requestRedirect)?.requestRedirect?.statusCode;
  if (status !== undefined && ![301, 302, 303, 307, 308].includes(status))
    return `RequestRedirect statusCode ${status} is not supported`;
  return undefined;
}
