// WebSocket (and any HTTP/1.1 Upgrade): route with the model, open a TCP connection to the
// endpoint's real address, replay the request head with the forwarding headers, then splice.
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { BackendOutcome } from '../request.js';
import { endpointKey } from './endpoints.js';
import type { ForwardDeps } from './forward.js';
import { type DownstreamInfo, upstreamHeaders } from './headers.js';

/** Answers an upgrade request with a plain status and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, location?: string): void {
  const extra = location ? `Location: ${location}\r\n` : '';
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Tunnels an upgrade to one endpoint; 502 when none can be reached. */
export function tunnelUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  outcome: BackendOutcome,
  down: DownstreamInfo,
  deps: ForwardDeps,
): void {
  const tried = new Set<string>();
  const attempt = (): void => {
    const endpoint = deps.chooser.choose(outcome.backend, outcome.endpoints, { clientIP: down.clientIP, exclude: tried });
    if (!endpoint) {
      rejectUpgrade(socket, 502);
      return;
    }
    tried.add(endpointKey(endpoint));
    const real = deps.resolver(endpoint, outcome.backend);
    if (!real) {
      attempt();
      return;
    }
    const upstream: Socket = connect({ host: real.host, port: real.port });
    upstream.setTimeout(outcome.limits.connectTimeoutMs, () => upstream.destroy(new Error('connect timeout')));
    let connected = false;
    upstream.once('error', () => {
      // Nothing was sent yet: try the next endpoint, as for idempotent requests.
      if (!connected && !socket.destroyed) attempt();
    });
    upstream.once('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      upstream.removeAllListeners('error');
      const headers = upstreamHeaders(req.headers, down, outcome.upstreamHost, outcome.requestHeaders, true);
      let headText = `${req.method} ${outcome.upstreamPath} HTTP/1.1\r\n`;
      for (const [name, value] of Object.entries(headers)) {
        for (const v of Array.isArray(value) ? value : [value]) headText += `${name}: ${v}\r\n`;
      }
      upstream.write(`${headText}\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
      const close = (): void => {
        upstream.destroy();
        socket.destroy();
      };
      upstream.on('error', close).on('close', close);
      socket.on('error', close).on('close', close);
    });
  };
  attempt();
}
