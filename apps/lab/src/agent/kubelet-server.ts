import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Node, type Store, updateWithRetry } from '@kemu/core';
import type { ContainerLog } from '../lab/runtime/logs.js';

/** Where a {@link KubeletServer} reads pod logs: a NodeAgent (`agent.logs(ns, pod)`). */
export interface KubeletLogSource {
  logs(namespace: string, pod: string): ReadonlyMap<string, ContainerLog> | undefined;
}

/** Options of a {@link KubeletServer}. */
export interface KubeletServerOptions {
  /** The node's pods and their logs. */
  source: KubeletLogSource;
  /** Bind address: the agent's advertise address. */
  host: string;
  /** Port; default 0 (any free port), as the kubelet's 10250 would clash between agents on one host. */
  port?: number;
  /**
   * The bearer token `/containerLogs` requires (the lab's kubelet credentials); without one the
   * endpoint is open (unit tests). `/healthz` never needs it, as the kubelet's healthz port.
   */
  token?: string;
}

/** What a `/containerLogs` request asks for, or why it cannot be answered. */
type LogQuery = { tailLines?: number; timestamps: boolean } | { error: string };

/**
 * The read-only part of the kubelet's HTTP server (pkg/kubelet/server/server.go): `GET /healthz`
 * and `GET /containerLogs/{podNamespace}/{podID}/{containerName}` with `tailLines` (or the legacy
 * `tail`) and `timestamps`, answering plain text. The API server's pods/log subresource proxies
 * here when the pod runs in another process (kemu's lab/remote-logs.ts).
 */
export class KubeletServer {
  private readonly server: http.Server;
  private boundPort = 0;

  constructor(private readonly options: KubeletServerOptions) {
    this.server = http.createServer((request, response) => this.handle(request, response));
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

  /** The base URL once started. */
  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.boundPort}`;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://kubelet');
    const [status, body] =
      request.method !== 'GET' && request.method !== 'HEAD'
        ? [405, `method ${request.method} not allowed`]
        : url.pathname !== '/healthz' && !this.authorized(request)
          ? [401, 'Unauthorized']
          : this.answer(url);
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
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

  /** The status and plain-text body of one GET. */
  private answer(url: URL): [number, string] {
    if (url.pathname === '/healthz') return [200, 'ok'];
    const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]*)$/.exec(url.pathname);
    const parts = match ? decodeParts(match.slice(1)) : undefined;
    if (!parts) return [404, `${url.pathname}: not found (this kubelet serves /containerLogs and /healthz)`];
    const [namespace, pod, container] = parts;
    // server.go getContainerLogs: 400 without a container name, 404 for an unknown pod or container.
    if (!container) return [400, 'missing container name'];
    const query = logQuery(url.searchParams);
    if ('error' in query) return [400, query.error];
    const logs = this.options.source.logs(namespace, pod);
    if (!logs) return [404, `pod "${namespace}/${pod}" does not exist on this node`];
    const log = logs.get(container);
    if (!log) {
      const known = [...logs.keys()].join(', ');
      return [404, `container "${container}" not found in pod "${namespace}/${pod}" (containers: ${known})`];
    }
    const text = log
      .read(query.tailLines)
      .map((line) => `${query.timestamps ? `${line.time} ` : ''}${line.text}\n`)
      .join('');
    return [200, text];
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

/** Decodes PodLogOptions from the query as the kubelet does (`tail` is the legacy name of `tailLines`). */
function logQuery(params: URLSearchParams): LogQuery {
  const follow = params.get('follow');
  if (follow === 'true' || follow === '1')
    return { error: 'follow is not supported by the kemu kubelet yet; poll with tailLines' };
  const raw = params.get('tailLines') ?? params.get('tail');
  const timestamps = params.get('timestamps') === 'true';
  if (raw === null) return { timestamps };
  const tailLines = Number(raw);
  // PodLogOptions validation: tailLines must be greater than or equal to 0 (validation.go ValidatePodLogOptions).
  if (!Number.isInteger(tailLines) || tailLines < 0)
    return { error: `tailLines: Invalid value: "${raw}": must be greater than or equal to 0` };
  return { tailLines, timestamps };
}

/**
 * Publishes the kubelet's port on its Node as the kubelet does (`status.daemonEndpoints.kubeletEndpoint.Port`,
 * pkg/kubelet/nodestatus setters.go); the API server reads it to reach the node for pods/log.
 */
export async function publishKubeletPort(store: Store, node: string, port: number): Promise<void> {
  await updateWithRetry<Node>(store, { kind: 'Node', name: node }, (current) => {
    if (current.status?.daemonEndpoints?.kubeletEndpoint?.Port === port) return undefined;
    current.status = {
      ...current.status,
      daemonEndpoints: { ...current.status?.daemonEndpoints, kubeletEndpoint: { Port: port } },
    };
    return current;
  });
}
