// Forwards one request to a backend endpoint with undici (keep-alive pools per real origin),
// streaming both bodies with backpressure. Retries the next endpoint on connection failure for
// idempotent bodiless requests (nginx proxy_next_upstream error timeout; non_idempotent off),
// then 502; upstream timeouts answer 504.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Pool } from 'undici';
import type { EndpointAddress } from '../request.js';
import { type BackendOutcome, cookieValue, normalizeRequest } from '../request.js';
import { type EndpointChooser, type EndpointResolver, endpointKey, type RealAddress } from './endpoints.js';
import { type DownstreamInfo, downstreamHeaders, upstreamHeaders } from './headers.js';
import { sendStatus } from './status.js';

/** Any request/response pair the listeners hand over (HTTP/1.1 or HTTP/2 compat). */
export type AnyRequest = IncomingMessage | Http2ServerRequest;
/** The response side of {@link AnyRequest}. */
export type AnyResponse = ServerResponse | Http2ServerResponse;

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** undici pools per real origin, closed with the proxy. */
export class PoolCache {
  private readonly pools = new Map<string, Pool>();

  /** The keep-alive pool for a real address. */
  get(address: RealAddress, connectTimeoutMs: number): Pool {
    const origin = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: 128,
        pipelining: 1,
        keepAliveTimeout: 60_000,
        connect: { timeout: connectTimeoutMs },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Closes every pool (in-flight requests finish first). */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => undefined)));
    this.pools.clear();
  }
}

/** Everything forward() needs from the proxy. */
export interface ForwardDeps {
  pools: PoolCache;
  chooser: EndpointChooser;
  resolver: EndpointResolver;
}

/** Hash kemu writes into the affinity cookie for an endpoint. */
export function affinityValue(key: string): string {
  return createHash('sha1').update(key).digest('hex').slice(0, 32);
}

function hasBody(req: AnyRequest): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  if (req.headers['transfer-encoding'] !== undefined) return true;
  // HTTP/2 has no framing headers: a stream not yet ended may still carry DATA frames.
  return req.httpVersionMajor === 2 && !req.readableEnded && req.method !== 'GET' && req.method !== 'HEAD';
}

/** Proxies the request to one endpoint of `outcome`, retrying as nginx does. */
export async function forward(
  req: AnyRequest,
  res: AnyResponse,
  outcome: BackendOutcome,
  down: DownstreamInfo,
  deps: ForwardDeps,
  picked?: { endpoint?: EndpointAddress },
): Promise<void> {
  const method = req.method ?? 'GET';
  const body = hasBody(req);
  const retryable = idempotent.has(method) && !body;
  const headers = upstreamHeaders(req.headers, down, outcome.upstreamHost, outcome.requestHeaders);
  const tried = new Set<string>();
  let setCookie: string | undefined;
  let pinned = undefined as (typeof outcome.endpoints)[number] | undefined;
  if (outcome.affinity) {
    const wanted = cookieValue(
      normalizeRequest({ host: down.hostHeader || 'x', path: '/', headers: req.headers as Record<string, string> }),
      outcome.affinity.cookieName,
    );
    pinned = wanted ? outcome.endpoints.find((e) => affinityValue(endpointKey(e)) === wanted) : undefined;
  }
  for (;;) {
    const endpoint =
      pinned && !tried.has(endpointKey(pinned))
        ? pinned
        : deps.chooser.choose(outcome.backend, outcome.endpoints, { clientIP: down.clientIP, exclude: tried });
    if (!endpoint) return sendStatus(res, tried.size === 0 ? 503 : 502);
    const key = endpointKey(endpoint);
    tried.add(key);
    const real = deps.resolver(endpoint, outcome.backend);
    if (!real) continue; // no real socket for this endpoint: nothing was sent, try the next one
    // nginx's $upstream_addr: the endpoint last tried is the one that answered.
    if (picked) picked.endpoint = endpoint;
    if (outcome.affinity && endpoint !== pinned) {
      const a = outcome.affinity;
      setCookie = `${a.cookieName}=${affinityValue(key)}; Path=${a.path || '/'}; HttpOnly${a.maxAgeSeconds ? `; Max-Age=${a.maxAgeSeconds}` : ''}${a.sameSite ? `; SameSite=${a.sameSite}` : ''}`;
    }
    try {
      // undici stream(): the response body is written straight into `res` (backpressure included).
      await deps.pools.get(real, outcome.limits.connectTimeoutMs).stream(
        {
          method: method as 'GET',
          path: outcome.upstreamPath,
          headers,
          body: body ? (req as NodeJS.ReadableStream as never) : null,
          headersTimeout: outcome.limits.readTimeoutMs,
          bodyTimeout: outcome.limits.readTimeoutMs,
        },
        ({ statusCode, headers: upstreamHeaders }) => {
          const out = downstreamHeaders(upstreamHeaders as Record<string, string | string[]>, outcome.responseHeaders);
          if (setCookie && endpoint !== pinned) out['set-cookie'] = [...[out['set-cookie'] ?? []].flat(), setCookie];
          res.writeHead(statusCode, out as never);
          return res as unknown as import('node:stream').Writable;
        },
      );
      return;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (timeoutCodes.has(code)) return sendStatus(res, 504);
      if (res.headersSent) return void res.destroy();
      if (!retryable || tried.size >= outcome.endpoints.length) return sendStatus(res, 502);
    }
  }
}

/** RequestMirror: sends a copy of a bodiless request to one endpoint of each mirror and ignores the answer. */
export function mirror(req: AnyRequest, outcome: BackendOutcome, down: DownstreamInfo, deps: ForwardDeps): void {
  if (outcome.mirrors.length === 0 || hasBody(req)) return;
  const headers = upstreamHeaders(req.headers, down, outcome.upstreamHost, outcome.requestHeaders);
  for (const m of outcome.mirrors) {
    const endpoint = deps.chooser.choose(m.backend, m.endpoints, { clientIP: down.clientIP, exclude: new Set() });
    const real = endpoint ? deps.resolver(endpoint, m.backend) : undefined;
    if (!real) continue;
    deps.pools
      .get(real, outcome.limits.connectTimeoutMs)
      .request({ method: (req.method ?? 'GET') as 'GET', path: outcome.upstreamPath, headers })
      .then((r) => r.body.dump())
      .catch(() => undefined);
  }
}
