import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { type Node, type Store, updateWithRetry } from '@kemu/core';
import { KubeletLogsError, PodLogOptionsError } from '../lab/errors.js';
import { kubeletServingCertAnnotation } from '../lab/kubelet-dial.js';
import { decodePodLogOptions, validatePodLogOptions } from '../lab/pod-log-options.js';
import type { ContainerLogStream } from '../lab/runtime/log-stream.js';
import { type ContainerLogRequest, type KubeletLogSource, openContainerLog } from '../lab/runtime/open-container-log.js';
import type { KubeletServingCertificate } from './kubelet-serving-cert.js';

export type { KubeletLogSource } from '../lab/runtime/open-container-log.js';

/** Options of a {@link KubeletServer}. */
export interface KubeletServerOptions {
  /** The node's pods and their logs. */
  source: KubeletLogSource;
  /** Bind address: the agent's advertise address. */
  host: string;
  /** Port; default 0 (any free port), as the kubelet's 10250 would clash between agents on one host. */
  port?: number;
  /** The serving certificate (generated or `--kubelet-tls-cert`); the kubelet serves only HTTPS on 10250. */
  certificate: KubeletServingCertificate;
  /**
   * The bearer token `/containerLogs` requires (the lab's kubelet credentials); without one the
   * endpoint is open (unit tests). `/healthz` never needs it, as the kubelet's healthz port.
   */
  token?: string;
}

/**
 * The read-only part of the kubelet's HTTPS server (pkg/kubelet/server/server.go): `GET /healthz`
 * and `GET /containerLogs/{podNamespace}/{podID}/{containerName}` with PodLogOptions in the query
 * (`follow`, `previous`, `timestamps`, `sinceSeconds`, `sinceTime`, `tailLines` or the legacy
 * `tail`, `limitBytes`), answering plain text written out as the log is read, so a follower sees
 * each line as it comes. The API server's pods/log subresource proxies here when the pod runs in
 * another process (kemu's lab/remote-logs.ts).
 */
export class KubeletServer {
  private readonly server: https.Server;
  private boundPort = 0;

  constructor(private readonly options: KubeletServerOptions) {
    const { cert, key } = options.certificate;
    this.server = https.createServer({ cert, key }, (request, response) => this.handle(request, response));
  }

  /** Starts listening; resolves with the port (published as the Node's daemonEndpoints.kubeletEndpoint.Port). */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    return this.boundPort;
  }

  /** The port once started. */
  get port(): number {
    return this.boundPort;
  }

  /** SHA-256 fingerprint of the serving certificate, which the Node publishes for the API server to pin. */
  get fingerprint(): string {
    return this.options.certificate.fingerprint;
  }

  /** The base URL once started. */
  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `https://${host}:${this.boundPort}`;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const answer = this.answer(request);
    if (Array.isArray(answer)) {
      response.writeHead(answer[0], {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(answer[1]),
      });
      response.end(answer[1]);
      return;
    }
    // Chunked and flushed as written (server.go wraps the response in a flushwriter).
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    response.flushHeaders();
    if (request.method === 'HEAD') {
      answer.destroy();
      response.end();
      return;
    }
    // A client that goes away ends the pipeline, which destroys the log stream (it stops following).
    pipeline(answer, response).catch(() => undefined);
  }

  /** The log stream one request asks for, or the status and plain-text body that answer it. */
  private answer(request: http.IncomingMessage): ContainerLogStream | [number, string] {
    const url = new URL(request.url ?? '/', 'http://kubelet');
    if (request.method !== 'GET' && request.method !== 'HEAD') return [405, `method ${request.method} not allowed`];
    if (url.pathname === '/healthz') return [200, 'ok'];
    if (!this.authorized(request)) return [401, 'Unauthorized'];
    const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]*)$/.exec(url.pathname);
    const parts = match ? decodeParts(match.slice(1)) : undefined;
    if (!parts) return [404, `${url.pathname}: not found (this kubelet serves /containerLogs and /healthz)`];
    const [namespace, pod, container] = parts;
    // server.go getContainerLogs: 400 without a container name.
    if (!container) return [400, 'missing container name'];
    try {
      return openContainerLog(this.options.source, namespace, pod, container, logRequest(url.searchParams));
    } catch (error) {
      if (error instanceof KubeletLogsError) return [error.status, error.message];
      if (error instanceof PodLogOptionsError) return [400, error.message];
      throw error;
    }
  }

  /** Whether the request carries the lab's kubelet token (always, when none is configured). */
  private authorized(request: http.IncomingMessage): boolean {
    const token = this.options.token;
    if (!token) return true;
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** Path segments decoded, or undefined when one is malformed percent-encoding. */
function decodeParts(raw: string[]): [string, string, string] | undefined {
  try {
    return raw.map(decodeURIComponent) as [string, string, string];
  } catch {
    return undefined;
  }
}

/** Decodes PodLogOptions from the query as the kubelet does; 400 for a value that does not parse or validate. */
function logRequest(params: URLSearchParams): ContainerLogRequest {
  const query = new URLSearchParams(params);
  // server.go: backwards compatibility for the "tail" query parameter; "all" is the same as omitting it.
  const tail = query.get('tail');
  if (tail === 'all') query.delete('tailLines');
  else if (tail) query.set('tailLines', tail);
  const { container: _inPath, ...options } = decodePodLogOptions(query);
  const issue = validatePodLogOptions(options)[0];
  if (issue) throw new PodLogOptionsError(`${issue.field}: ${issue.detail}`);
  return options;
}

/**
 * Publishes the kubelet on its Node: its port as the kubelet does (`status.daemonEndpoints.kubeletEndpoint.Port`,
 * pkg/kubelet/nodestatus setters.go), and the SHA-256 fingerprint of its serving certificate in the
 * `kemu.dev/kubelet-serving-cert-sha256` annotation, which the API server pins when it dials the
 * port for pods/log. One write, so the port is never read with another start's fingerprint.
 */
export async function publishKubeletEndpoint(store: Store, node: string, port: number, fingerprint: string): Promise<void> {
  await updateWithRetry<Node>(store, { kind: 'Node', name: node }, (current) => {
    const annotations = current.metadata.annotations ?? {};
    if (
      current.status?.daemonEndpoints?.kubeletEndpoint?.Port === port &&
      annotations[kubeletServingCertAnnotation] === fingerprint
    )
      return undefined;
    current.metadata.annotations = { ...annotations, [kubeletServingCertAnnotation]: fingerprint };
    current.status = {
      ...current.status,
      daemonEndpoints: { ...current.status?.daemonEndpoints, kubeletEndpoint: { Port: port } },
    };
    return current;
  });
}
