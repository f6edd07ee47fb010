// The ingress proxy: listeners on loopback (HTTP, HTTPS with SNI, optional h2c), routing every
// request through the model and forwarding with undici. HTTP/1.1 listeners are bare node:http(s)
// servers: every request takes the one proxied path, so fastify's routing, hooks and reply object
// were pure per-request cost there; fastify stays for the HTTP/2 listeners (it ends their sessions
// on close). Configuration changes swap the router in place for the next request: no listener
// restart, in-flight requests keep going.
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { type KubernetesObject, tryParseIP } from '@kemu/core';
import fastify, { type FastifyInstance } from 'fastify';
import { InvalidOptionError, ListenFailedError } from '../errors.js';
import type { RouterIssue } from '../issues.js';
import type { EndpointAddress, HTTPRequest, RouteAnswer } from '../request.js';
import { Router, type RouterOptions } from '../router.js';
import { watchCompletion } from './completion.js';
import { type EndpointChooser, type EndpointResolver, RoundRobinChooser } from './endpoints.js';
import { type AnyRequest, type AnyResponse, type ForwardDeps, forward, mirror, PoolCache } from './forward.js';
import type { DownstreamInfo } from './headers.js';
import { sendStatus } from './status.js';
import { CertificateTable, type PEMPair, selfSignedPair, touchesTLS } from './tls.js';
import { rejectUpgrade, tunnelUpgrade } from './upgrade.js';

/** Listener kinds. */
export type ListenerKind = 'http' | 'https' | 'h2c';

/** Options of {@link IngressProxy.start}. */
export interface IngressProxyOptions {
  /** Initial objects (Ingress, IngressClass, Gateway, HTTPRoute, Service, EndpointSlice, Secret, …). */
  objects?: readonly KubernetesObject[];
  router?: RouterOptions;
  /** Maps virtual endpoints to real loopback addresses; the proxy never connects to a virtual IP. */
  resolver: EndpointResolver;
  /** Endpoint choice; default round-robin. */
  chooser?: EndpointChooser;
  /** Loopback address to bind; default 127.0.0.1. */
  host?: string;
  /** Plain HTTP/1.1 listener (default on, port 0 = any free port); `false` disables it. */
  http?: { port?: number } | false;
  /** TLS listener with SNI; `http2` negotiates h2 by ALPN (HTTP/1.1 still allowed). Off by default. */
  https?: { port?: number; http2?: boolean; defaultCertificate?: PEMPair } | false;
  /** Cleartext HTTP/2 (prior knowledge) listener. Off by default. */
  h2c?: { port?: number } | false;
  /** Largest request head in bytes before 431; default 16 KiB. */
  maxHeaderSize?: number;
  /** Ports the router sees for each listener (Gateway listener ports, redirects); default 80 / 443 / 80. */
  routedPorts?: Partial<Record<ListenerKind, number>>;
}

/** What the `complete` event carries: one routed request whose response has ended (or was cut off). */
export interface ResponseCompletion {
  answer: RouteAnswer;
  request: HTTPRequest;
  /** The status sent downstream (the backend's, or the proxy's own 404/502/503/504…); 499 if the client left first. */
  status: number;
  /** From routing to the last byte handed to the client's socket (nginx $request_time). */
  durationMs: number;
  /**
   * Bytes sent to the client. HTTP/1.1: status line, headers and body, as nginx's $bytes_sent
   * (what ingress-nginx's response_size observes); HTTP/2 streams share a socket, so body bytes only.
   */
  bytes: number;
  /** True when the response did not finish (client gone, backend reset mid-body). */
  aborted: boolean;
  /** The endpoint that answered (nginx's `$upstream_addr`, the last one tried); none for the proxy's own answers. */
  upstream?: EndpointAddress;
}

/**
 * Events: `generation` (number) after each applied configuration; `answer` (RouteAnswer, HTTPRequest)
 * per routed request; `complete` ({@link ResponseCompletion}) when its response has ended.
 */
export class IngressProxy extends EventEmitter {
  private router: Router;
  private certs: CertificateTable | undefined;
  private readonly bound = new Map<ListenerKind, Listener>();
  /** Set by close(): requests still arriving on kept-alive connections get `Connection: close`. */
  private closing = false;
  private readonly pools = new PoolCache();
  private readonly deps: ForwardDeps;
  private readonly objects = new Map<string, KubernetesObject>();

  private constructor(private readonly options: IngressProxyOptions) {
    super();
    for (const o of options.objects ?? []) this.objects.set(objectKey(o), o);
    this.router = new Router([...this.objects.values()], options.router);
    this.deps = { pools: this.pools, chooser: options.chooser ?? new RoundRobinChooser(), resolver: options.resolver };
  }

  /** Starts the listeners; resolves once every one is bound. */
  static async start(options: IngressProxyOptions): Promise<IngressProxy> {
    const host = options.host ?? '127.0.0.1';
    const ip = tryParseIP(host);
    if (typeof ip === 'string' || !(host === '::1' || host.startsWith('127.'))) {
      throw new InvalidOptionError('host', `must be a loopback address (127.0.0.0/8 or ::1), got "${host}"`);
    }
    const proxy = new IngressProxy(options);
    if (options.https) {
      const pair = options.https.defaultCertificate ?? (await selfSignedPair());
      proxy.certs = new CertificateTable(proxy.router, createSecureContext(pair));
      await proxy.listen('https', options.https.port ?? 0, host, pair, options.https.http2 ?? false);
    }
    if (options.http !== false) await proxy.listen('http', options.http?.port ?? 0, host);
    if (options.h2c) await proxy.listen('h2c', options.h2c.port ?? 0, host);
    return proxy;
  }

  /** The configuration generation now serving (bumped by apply/delete). */
  get generation(): number {
    return this.router.generation;
  }

  /** Problems in the objects applied so far (routing and TLS). */
  get issues(): RouterIssue[] {
    return [...this.router.issues, ...(this.certs?.issues ?? [])];
  }

  /** The bound address of a listener. */
  address(kind: ListenerKind): { host: string; port: number } {
    const listener = this.bound.get(kind);
    if (!listener) throw new InvalidOptionError(kind, 'this listener is not enabled');
    const a = listener.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** The model's answer for a request, as the proxy would route it now. */
  route(request: HTTPRequest): RouteAnswer {
    return this.router.match(request);
  }

  /** Applies (creates or replaces) objects; resolves to the new generation once it serves. */
  async apply(objects: readonly KubernetesObject[]): Promise<number> {
    return this.reconfigure(
      objects,
      () => this.router.apply(objects),
      () => {
        for (const o of objects) this.objects.set(objectKey(o), o);
      },
    );
  }

  /** Deletes objects; resolves to the new generation once it serves. */
  async delete(objects: readonly Pick<KubernetesObject, 'kind' | 'metadata'>[]): Promise<number> {
    return this.reconfigure(
      objects,
      () => this.router.delete(objects),
      () => {
        for (const o of objects) this.objects.delete(objectKey(o));
      },
    );
  }

  /** Stops accepting, lets in-flight requests finish, closes upstream pools. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.bound.values()].map((l) => l.close()));
    await this.pools.close();
  }

  private async reconfigure(
    objects: readonly Pick<KubernetesObject, 'kind'>[],
    change: () => number,
    record: () => void,
  ): Promise<number> {
    try {
      change();
      record();
    } catch (error) {
      // Keep serving the last good configuration: rebuild it from the objects that produced it.
      const generation = this.router.generation;
      this.router = new Router([...this.objects.values()], this.options.router);
      this.router.generation = generation;
      throw error;
    }
    if (this.certs && touchesTLS(objects)) this.certs = new CertificateTable(this.router, this.certs.fallback);
    this.emit('generation', this.router.generation);
    return this.router.generation;
  }

  private async listen(kind: ListenerKind, port: number, host: string, pair?: PEMPair, http2 = false): Promise<void> {
    const maxHeaderSize = this.options.maxHeaderSize ?? 16 * 1024;
    const sni: SNICallback = (servername, cb) => {
      cb(null, this.certs?.contextFor(servername));
    };
    const clientErrorHandler = (error: Error & { code?: string }, socket: Socket): void => {
      // Malformed requests never reach routing: oversize heads get 431, other parse errors 400.
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      if (socket.writable)
        socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
    };
    const onRequest = (req: AnyRequest, res: AnyResponse): void => {
      // A request arriving on a kept-alive HTTP/1.1 connection while closing is still proxied, then its
      // connection closes, as nginx's graceful shutdown does (fastify's return503OnClosing answered 503).
      if (this.closing && !('stream' in res)) res.shouldKeepAlive = false;
      this.handle(req, res, kind).catch(() => sendStatus(res, 502));
    };
    const listener =
      kind === 'h2c' || (kind === 'https' && http2)
        ? this.fastifyListener(kind, pair, sni, onRequest)
        : this.nodeListener(kind, pair, sni, maxHeaderSize, clientErrorHandler, onRequest);
    listener.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head, kind));
    try {
      await listener.listen(port, host);
    } catch (error) {
      throw new ListenFailedError(`${host}:${port}`, error);
    }
    this.bound.set(kind, listener);
  }

  /** HTTP/1.1 (cleartext or TLS): a bare node server whose request listener is the proxy itself. */
  private nodeListener(
    kind: ListenerKind,
    pair: PEMPair | undefined,
    sni: SNICallback,
    maxHeaderSize: number,
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => void,
    onRequest: (req: AnyRequest, res: AnyResponse) => void,
  ): Listener {
    const server =
      kind === 'https'
        ? createHttpsServer({ ...pair, SNICallback: sni, maxHeaderSize }, onRequest)
        : createHttpServer({ maxHeaderSize }, onRequest);
    // The timeouts fastify set on the servers it built (fastify 5 defaults): idle keep-alive 72 s, no request timeout.
    server.keepAliveTimeout = 72_000;
    server.requestTimeout = 0;
    server.on('clientError', clientErrorHandler);
    return {
      server,
      listen: (port, host) =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        }),
      close: () =>
        new Promise<void>((resolve) => {
          // In-flight requests finish; idle kept-alive sockets go now (fastify's forceCloseConnections: 'idle').
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    };
  }

  /** HTTP/2 (h2c, or TLS with ALPN h2 and HTTP/1.1): fastify, which also ends the open sessions on close. */
  private fastifyListener(
    kind: ListenerKind,
    pair: PEMPair | undefined,
    sni: SNICallback,
    onRequest: (req: AnyRequest, res: AnyResponse) => void,
  ): Listener {
    const app = (kind === 'h2c'
      ? fastify({ http2: true })
      : fastify({ http2: true, https: { allowHTTP1: true, ...pair, SNICallback: sni } })) as unknown as FastifyInstance;
    app.removeAllContentTypeParsers();
    // Leave bodies unread: forward() streams them to the backend with backpressure.
    app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    app.all('*', (request, reply) => {
      reply.hijack();
      onRequest(request.raw, reply.raw);
    });
    return {
      server: app.server,
      listen: async (port, host) => {
        await app.listen({ port, host });
      },
      close: () => app.close(),
    };
  }

  private downstream(req: AnyRequest, kind: ListenerKind): DownstreamInfo {
    const remote = req.socket?.remoteAddress ?? '127.0.0.1';
    return {
      clientIP: remote.startsWith('::ffff:') ? remote.slice(7) : remote,
      scheme: kind === 'https' ? 'https' : 'http',
      port: (req.socket?.localPort as number | undefined) ?? 0,
      hostHeader: String(req.headers.host ?? req.headers[':authority'] ?? ''),
    };
  }

  private answer(req: AnyRequest, down: DownstreamInfo, kind: ListenerKind): { answer: RouteAnswer; request: HTTPRequest } {
    const length = req.headers['content-length'];
    const request: HTTPRequest = {
      method: req.method ?? 'GET',
      host: down.hostHeader || down.clientIP,
      path: req.url?.startsWith('/') ? req.url : '/',
      headers: req.headers as Record<string, string | string[]>,
      scheme: down.scheme,
      port: this.options.routedPorts?.[kind] ?? (kind === 'https' ? 443 : 80),
      clientIP: down.clientIP,
      random: Math.random(),
    };
    if (length !== undefined && /^\d+$/.test(String(length))) request.contentLength = Number(length);
    const servername = kind === 'https' ? (req.socket as TLSSocket | undefined)?.servername : undefined;
    if (servername) request.sni = servername;
    const answer = this.router.match(request);
    this.emit('answer', answer, request);
    return { answer, request };
  }

  private async handle(req: AnyRequest, res: AnyResponse, kind: ListenerKind): Promise<void> {
    const down = this.downstream(req, kind);
    const { answer, request } = this.answer(req, down, kind);
    const picked: { endpoint?: EndpointAddress } = {};
    if (this.listenerCount('complete') > 0)
      watchCompletion(res, (c) =>
        this.emit('complete', { answer, request, ...c, ...(picked.endpoint ? { upstream: picked.endpoint } : {}) }),
      );
    const outcome = answer.outcome;
    if (outcome.type === 'status') return sendStatus(res, outcome.status, outcome.location);
    mirror(req, outcome, down, this.deps);
    await forward(req, res, outcome, down, this.deps, picked);
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer, kind: ListenerKind): void {
    socket.on('error', () => socket.destroy());
    const down = this.downstream(req, kind);
    const outcome = this.answer(req, down, kind).answer.outcome;
    if (outcome.type === 'status') {
      rejectUpgrade(socket, outcome.status, outcome.location);
      return;
    }
    tunnelUpgrade(req, socket, head, outcome, down, this.deps);
  }
}

type SNICallback = (servername: string, cb: (err: Error | null, ctx?: ReturnType<typeof createSecureContext>) => void) => void;

/** One bound listener, whatever serves it. */
interface Listener {
  server: Pick<Server, 'address' | 'on'>;
  listen(port: number, host: string): Promise<void>;
  close(): Promise<void>;
}

function objectKey(o: Pick<KubernetesObject, 'kind' | 'metadata'>): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
