// The request and answer types both routers share, so one request can be asked of the
// ingress-nginx router and of the Gateway API router and the answers compared (kemu migrate).
import { InvalidRequestError } from './errors.js';

/** An HTTP request as a router sees it. Only `host` and `path` are required. */
export interface HTTPRequest {
  /** Upper-case method; default `GET`. */
  method?: string;
  /** The Host header (or :authority); a port is allowed and ignored for matching. */
  host: string;
  /** The request-target path, possibly with `?query`. */
  path: string;
  /** Raw query without `?`; overrides a query inside `path`. */
  query?: string;
  /** Request headers; names are case-insensitive. */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  /** `http` (default) or `https`, as the listener saw it. */
  scheme?: 'http' | 'https';
  /** Listener port that received the request; default 80 for http, 443 for https. */
  port?: number;
  /** TLS SNI server name, when it may differ from Host (Gateway API answers 421 then). */
  sni?: string;
  /** Client address (X-Real-IP, whitelist-source-range); default 127.0.0.1. */
  clientIP?: string;
  /** Declared request body size, for proxy-body-size (413). */
  contentLength?: number;
  /** Injected random value in [0, 1) for weighted and canary choices (default 0): keeps the model deterministic. */
  random?: number;
}

/** The request after defaults and normalisation, as the matchers use it. */
export interface NormalizedRequest {
  method: string;
  /** Lower-case host without port. */
  host: string;
  /** Host header as received (with port), for redirects. */
  hostHeader: string;
  /** Path without query, as received (not decoded). */
  path: string;
  /** Query without `?` ('' when none). */
  query: string;
  headers: ReadonlyMap<string, readonly string[]>;
  scheme: 'http' | 'https';
  port: number;
  clientIP: string;
  contentLength: number | undefined;
  random: number;
  sni: string | undefined;
}

/** A Service port a request is sent to. */
export interface BackendRef {
  namespace: string;
  service: string;
  /** Service port number or name, as the route wrote it. */
  port: number | string;
}

/** One ready endpoint of a backend (virtual address: the caller maps it to a real socket). */
export interface EndpointAddress {
  address: string;
  port: number;
  nodeName?: string;
  pod?: string;
}

/** Header edits to apply on the way up (request) or down (response). */
export interface HeaderEdits {
  set: Record<string, string>;
  add: Record<string, string>;
  remove: string[];
}

/** Limits and timeouts the proxy applies to the upstream exchange. */
export interface UpstreamLimits {
  /** Largest accepted request body in bytes; 0 = unlimited. */
  maxBodyBytes: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  sendTimeoutMs: number;
}

/** ingress-nginx cookie affinity for the matched location. */
export interface CookieAffinity {
  cookieName: string;
  path: string;
  maxAgeSeconds?: number;
  sameSite?: string;
  mode: 'balanced' | 'persistent';
}

/** The request goes to a backend. */
export interface BackendOutcome {
  type: 'backend';
  backend: BackendRef;
  /** Ready endpoints of the Service port (never empty: no endpoints is a 503 status outcome). */
  endpoints: EndpointAddress[];
  /** Path and query the backend receives after rewrites. */
  upstreamPath: string;
  /** Host header the backend receives. */
  upstreamHost: string;
  requestHeaders: HeaderEdits;
  responseHeaders: HeaderEdits;
  /** Copies of the request to send and forget (Gateway RequestMirror). */
  mirrors: { backend: BackendRef; endpoints: EndpointAddress[] }[];
  limits: UpstreamLimits;
  /** True when an ingress-nginx canary Ingress took the request. */
  canary?: boolean;
  affinity?: CookieAffinity;
}

/** The router answers by itself: an error status or a redirect. */
export interface StatusOutcome {
  type: 'status';
  status: number;
  /** Location header of a redirect. */
  location?: string;
  responseHeaders?: HeaderEdits;
}

/** Which object and rule produced the answer. */
export interface RouteRef {
  kind: 'Ingress' | 'HTTPRoute';
  namespace: string;
  name: string;
  /** Human-readable rule: `host path (type)` for Ingress, `rules[i].matches[j]` for HTTPRoute. */
  rule: string;
  /** ingress-nginx's `$location_path`: the Ingress path the location came from (its metrics' `path` label). */
  locationPath?: string;
  /** ingress-nginx's `$service_name`: the location's own Service, kept when a canary takes the request. */
  locationService?: string;
}

/** One rule the router looked at and what it decided about it. */
export interface Consideration {
  rule: string;
  verdict: 'selected' | 'lost' | 'no-match' | 'ignored';
  why: string;
}

/** A router's answer to one request. */
export interface RouteAnswer {
  dataPlane: 'ingress-nginx' | 'gateway';
  outcome: BackendOutcome | StatusOutcome;
  route?: RouteRef;
  /** Stable reason code, e.g. `PathMatched`, `NoMatchingRule`, `NoReadyEndpoints`. */
  reason: string;
  message: string;
  /** Filled by `explain()`; empty for `match()`. */
  explanation: Consideration[];
}

/** Empty header edits. */
export function noHeaderEdits(): HeaderEdits {
  return { set: {}, add: {}, remove: [] };
}

/** Shared empty edits and mirrors (frozen: answers never own them). */
export const emptyEdits: HeaderEdits = Object.freeze({
  set: Object.freeze({}),
  add: Object.freeze({}),
  remove: Object.freeze([]) as unknown as string[],
}) as HeaderEdits;
export const noMirrors: BackendOutcome['mirrors'] = Object.freeze([]) as unknown as BackendOutcome['mirrors'];

const noHeaders: ReadonlyMap<string, readonly string[]> = new Map();

/** Applies defaults and splits host/port and path/query. Throws InvalidRequestError on unroutable input. */
export function normalizeRequest(request: HTTPRequest): NormalizedRequest {
  if (!request.host) throw new InvalidRequestError('host', 'required (the Host header)');
  if (!request.path?.startsWith('/')) throw new InvalidRequestError('path', `must start with "/", got "${request.path}"`);
  const q = request.path.indexOf('?');
  const path = q < 0 ? request.path : request.path.slice(0, q);
  const query = request.query ?? (q < 0 ? '' : request.path.slice(q + 1));
  const scheme = request.scheme ?? 'http';
  // Most requests carry no header a rule looks at: they share one empty map.
  let headers = noHeaders as Map<string, string[]>;
  for (const name in request.headers) {
    const value = request.headers[name] as string | readonly string[] | undefined;
    if (value === undefined) continue;
    if (headers === noHeaders) headers = new Map();
    const lower = name.toLowerCase();
    const list = headers.get(lower) ?? [];
    if (typeof value === 'string') list.push(value);
    else list.push(...value);
    headers.set(lower, list);
  }
  const random = request.random ?? 0;
  if (!(random >= 0 && random < 1)) throw new InvalidRequestError('random', `must be in [0, 1), got ${random}`);
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    host: hostWithoutPort(request.host),
    hostHeader: request.host,
    path,
    query,
    headers,
    scheme,
    port: request.port ?? (scheme === 'https' ? 443 : 80),
    clientIP: request.clientIP ?? '127.0.0.1',
    contentLength: request.contentLength,
    random,
    sni: request.sni,
  };
}

// The last host asked about and its answer: requests to one host come in runs (a connection's
// requests, a corpus of probes), and this runs on every request.
let lastHost = '';
let lastName = '';

/** Lower-case host without port or trailing dot (RFC 3986 §3.2.2: hosts are case-insensitive). */
export function hostWithoutPort(host: string): string {
  if (host !== lastHost) {
    lastName = hostName(host);
    lastHost = host;
  }
  return lastName;
}

function hostName(host: string): string {
  // Fast path, one scan: a name of letters, digits, `-` and `.` with at most one `:port` (the
  // common case on every request) needs at most a cut and a lower-casing.
  let simple = host.length > 0;
  let upper = false;
  let colon = -1;
  for (let i = 0; simple && i < host.length; i++) {
    const c = host.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46) continue;
    if (c >= 65 && c <= 90) upper = true;
    else if (c === 58 && colon < 0) colon = i;
    else simple = false;
  }
  if (simple) {
    const name = colon < 0 ? host : host.slice(0, colon);
    const lower = upper ? name.toLowerCase() : name;
    return lower.endsWith('.') ? lower.slice(0, -1) : lower;
  }
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const last = h.lastIndexOf(':');
  if (last >= 0 && h.indexOf(':') === last) h = h.slice(0, last);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** First value of a header (names case-insensitive). */
export function headerValue(request: NormalizedRequest, name: string): string | undefined {
  return request.headers.get(name.toLowerCase())?.[0];
}

/** A cookie's value from the Cookie header(s). */
export function cookieValue(request: NormalizedRequest, name: string): string | undefined {
  for (const header of request.headers.get('cookie') ?? []) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/** `path?query` (no `?` when the query is empty). */
export function withQuery(path: string, query: string): string {
  return query ? `${path}?${query}` : path;
}
