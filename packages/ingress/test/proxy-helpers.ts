// Real loopback backends for the proxy tests: an echo server per "pod", with hooks to hold a response.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running echo backend. */
export interface Backend {
  name: string;
  server: Server;
  port: number;
  connections: number;
  requests: number;
  /** When set, requests wait for this promise before answering. */
  hold?: Promise<void>;
  /** Called when a request arrives, before waiting on `hold`. */
  onArrive?: () => void;
}

/** Starts an echo backend on 127.0.0.1: answers JSON with its name, the request line, headers and body size. */
export async function startBackend(
  name: string,
  handler?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<Backend> {
  const backend = { name, connections: 0, requests: 0 } as Backend;
  backend.server = createServer(async (req, res) => {
    backend.requests++;
    if (handler?.(req, res)) return;
    backend.onArrive?.();
    if (backend.hold) await backend.hold;
    if (req.url?.startsWith('/echo-body')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
      return;
    }
    let size = 0;
    for await (const chunk of req) size += (chunk as Buffer).length;
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name, connection: 'keep-alive' });
    res.end(JSON.stringify({ backend: name, method: req.method, url: req.url, headers: req.headers, size }));
  });
  backend.server.on('connection', () => backend.connections++);
  await new Promise<void>((resolve) => backend.server.listen(0, '127.0.0.1', resolve));
  backend.port = (backend.server.address() as AddressInfo).port;
  return backend;
}

/** A port that nothing listens on (bound then released). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Closes backends, dropping idle keep-alive connections. */
export async function closeAll(backends: Backend[]): Promise<void> {
  await Promise.all(
    backends.map(
      (b) =>
        new Promise((resolve) => {
          b.server.close(resolve);
          b.server.closeAllConnections();
        }),
    ),
  );
}
