// The per-pod HTTP proxy: absolute-form requests (RFC 9112 §3.2.2) and CONNECT tunnels
// (RFC 9110 §9.3.6). A denied destination gets 403 with the policy's reason; every answer carries
// the hops the agents took in `kemu-hops` (what `kemu curl`/`kemu trace` show).
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { formatHops, hopsHeader, reasonHeader } from './hops-header.js';
import { splice } from './tunnel.js';
import type { ConnectOutcome } from './types.js';

/** Dials a destination for the pod; `srcPort` is the pod's ephemeral port. */
export type Dialer = (host: string, port: number, srcPort: number) => Promise<ConnectOutcome>;

const statusText: Record<number, string> = {
  403: 'Forbidden',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Creates the pod's HTTP proxy server (not yet listening). */
export function createHttpProxy(dial: Dialer): Server {
  const server = http.createServer((req, res) => void forward(req, res, dial));
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => void tunnel(req, client, head, dial));
  return server;
}

async function tunnel(req: IncomingMessage, client: Socket, head: Buffer, dial: Dialer): Promise<void> {
  const target = parseAuthority(req.url ?? '');
  if (!target) {
    client.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  client.on('error', () => client.destroy());
  const outcome = await dial(target.host, target.port, client.remotePort ?? 0);
  if (!outcome.ok) {
    const body = `${outcome.reason}\n`;
    const hops = outcome.hops?.length ? `${hopsHeader}: ${formatHops(outcome.hops)}\r\n` : '';
    client.end(
      `HTTP/1.1 ${outcome.status} ${statusText[outcome.status]}\r\n${reasonHeader}: ${encodeURIComponent(outcome.reason)}\r\n${hops}content-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    return;
  }
  client.write(`HTTP/1.1 200 Connection Established\r\n${hopsHeader}: ${formatHops(outcome.hops)}\r\n\r\n`);
  if (head.length > 0) outcome.stream.write(head);
  splice(outcome.stream, client);
}

async function forward(req: IncomingMessage, res: ServerResponse, dial: Dialer): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('absolute-form request target required\n');
    return;
  }
  const port = Number(url.port || 80);
  const outcome = await dial(url.hostname.replace(/^\[|\]$/g, ''), port, req.socket.remotePort ?? 0);
  if (!outcome.ok) {
    res
      .writeHead(outcome.status, {
        'content-type': 'text/plain',
        [reasonHeader]: encodeURIComponent(outcome.reason),
        ...(outcome.hops?.length ? { [hopsHeader]: formatHops(outcome.hops) } : {}),
      })
      .end(`${outcome.reason}\n`);
    return;
  }
  // Node 20's Http2Stream corrupts a latin1 string written in one writev with a Buffer (the request
  // line of a POST whose body came with its headers arrives overwritten): one chunk per write.
  if (!(outcome.stream instanceof Socket)) Object.assign(outcome.stream, { _writev: null });
  // Each proxied request has a stream of its own: ask the pod to close it after its answer, so
  // neither the tunnel stream nor the agent's socket to the pod outlives the exchange.
  const headers = { ...withoutHopByHop(req.headers), connection: 'close' };
  delete headers['proxy-authorization'];
  const upstream = http.request({
    method: req.method,
    path: `${url.pathname}${url.search}`,
    headers,
    createConnection: () => outcome.stream as Socket,
  });
  upstream.on('response', (r) => {
    res.writeHead(r.statusCode ?? 502, { ...withoutHopByHop(r.headers), [hopsHeader]: formatHops(outcome.hops) });
    r.pipe(res);
    r.once('end', () => outcome.stream.end());
  });
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`${err.message}\n`);
    else res.destroy();
  });
  req.pipe(upstream);
}

/**
 * The headers minus the hop-by-hop ones a proxy must not forward (RFC 9110 §7.6.1): Connection,
 * the fields it names, and the well-known connection-specific fields.
 */
function withoutHopByHop(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const out = { ...headers };
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  for (const name of [...hopByHop, ...named]) delete out[name];
  return out;
}

const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** `host:port` or `[v6]:port`. */
export function parseAuthority(text: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : undefined;
}
