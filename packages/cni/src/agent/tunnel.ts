// The stream tunnel between node agents: one HTTP/2 connection per node pair, one CONNECT stream
// per pod connection (the way HBONE-style overlays carry TCP), with the source pod in headers.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Request headers carrying who is talking (the destination is `:authority`). */
export const tunnelHeaders = {
  srcIP: 'kemu-src-ip',
  srcPort: 'kemu-src-port',
  srcNode: 'kemu-src-node',
  reason: 'kemu-reason',
} as const;

/** Large windows: the default 64 KiB window would cap a stream far below a loopback socket. */
export const tunnelSettings: http2.Settings = {
  initialWindowSize: 16 * 1024 * 1024,
  maxConcurrentStreams: 100_000,
  maxFrameSize: 1 << 20,
};

/** A stream the destination agent accepted: where it goes and who sent it. */
export interface TunnelRequest {
  dstIP: string;
  dstPort: number;
  srcIP: string;
  srcPort: number;
  srcNode: string;
}

/** Answer of the destination agent: a socket to pipe to, or a refusal with a status and reason. */
export type TunnelDecision = { ok: true; connect: () => Promise<Socket> } | { ok: false; status: number; reason: string };

/** Starts the tunnel server; `decide` runs ingress policy and finds the real listener. */
export function createTunnelServer(
  decide: (req: TunnelRequest) => TunnelDecision,
  onBytes: (req: TunnelRequest, n: number) => void,
): Http2Server {
  const server = http2.createServer({ settings: tunnelSettings });
  server.on('session', (session) => {
    session.setLocalWindowSize(64 * 1024 * 1024);
    tunnelSessions(server).add(session);
    session.on('close', () => tunnelSessions(server).delete(session));
  });
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    const authority = String(headers[':authority'] ?? '');
    const at = authority.lastIndexOf(':');
    const req: TunnelRequest = {
      dstIP: authority.slice(0, at).replace(/^\[|\]$/g, ''),
      dstPort: Number(authority.slice(at + 1)),
      srcIP: String(headers[tunnelHeaders.srcIP] ?? ''),
      srcPort: Number(headers[tunnelHeaders.srcPort] ?? 0),
      srcNode: String(headers[tunnelHeaders.srcNode] ?? ''),
    };
    if (headers[':method'] !== 'CONNECT') {
      stream.respond({ ':status': 405 }, { endStream: true });
      return;
    }
    const decision = decide(req);
    if (!decision.ok) {
      stream.respond(
        { ':status': decision.status, [tunnelHeaders.reason]: encodeURIComponent(decision.reason) },
        { endStream: true },
      );
      return;
    }
    decision.connect().then(
      (socket) => {
        // The peer may have cancelled the stream (or its agent stopped) while the pod's socket connected.
        if (stream.destroyed || stream.closed) {
          socket.destroy();
          return;
        }
        stream.respond({ ':status': 200 });
        socket.on('data', (chunk: Buffer) => onBytes(req, chunk.length));
        splice(stream, socket);
      },
      (err: Error) => {
        if (stream.destroyed || stream.closed) return;
        stream.respond(
          { ':status': 502, [tunnelHeaders.reason]: encodeURIComponent(`pod not reachable: ${err.message}`) },
          { endStream: true },
        );
      },
    );
  });
  return server;
}

const sessionsOf = new WeakMap<Http2Server, Set<http2.ServerHttp2Session>>();

/** The live sessions of a tunnel server (destroyed when the agent stops, so peers see it go). */
export function tunnelSessions(server: Http2Server): Set<http2.ServerHttp2Session> {
  let set = sessionsOf.get(server);
  if (!set) {
    set = new Set();
    sessionsOf.set(server, set);
  }
  return set;
}

/** Remembers a server's sockets so that stopping it can cut them (server.close waits otherwise). */
export function trackConnections(server: import('node:net').Server): () => void {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () => {
    for (const s of sockets) s.destroy();
  };
}

/**
 * Pipes two duplexes both ways with half-close (end) and reset (destroy) propagated: an HTTP/2
 * stream reset resets the TCP socket (RST) and a socket error cancels the stream.
 */
export function splice(stream: Duplex, socket: Socket): void {
  stream.pipe(socket);
  socket.pipe(stream);
  const resetSocket = () => {
    if (!socket.destroyed) socket.resetAndDestroy();
  };
  stream.on('aborted', resetSocket);
  stream.on('error', resetSocket);
  socket.on('error', () => {
    const h2 = stream as Partial<ClientHttp2Stream>;
    if (typeof h2.close === 'function' && !stream.destroyed) h2.close(http2.constants.NGHTTP2_CANCEL);
    else stream.destroy();
  });
  socket.on('close', (hadError) => {
    if (hadError && !stream.destroyed) stream.destroy();
  });
}

/** One HTTP/2 session per peer node, reopened when it goes away. */
export class TunnelPool {
  private readonly sessions = new Map<string, ClientHttp2Session>();

  /** Opens a CONNECT stream to `dst` through the agent at `peer`. */
  open(
    peer: { node: string; address: string; tunnelPort: number },
    req: TunnelRequest,
  ): Promise<{ ok: true; stream: ClientHttp2Stream } | { ok: false; status: number; reason: string }> {
    const session = this.session(peer);
    const stream = session.request(
      {
        ':method': 'CONNECT',
        ':authority': `${req.dstIP.includes(':') ? `[${req.dstIP}]` : req.dstIP}:${req.dstPort}`,
        [tunnelHeaders.srcIP]: req.srcIP,
        [tunnelHeaders.srcPort]: String(req.srcPort),
        [tunnelHeaders.srcNode]: req.srcNode,
      },
      { endStream: false },
    );
    return new Promise((resolve) => {
      stream.once('response', (headers) => {
        const status = Number(headers[':status']);
        if (status === 200) resolve({ ok: true, stream });
        else
          resolve({
            ok: false,
            status,
            reason: decodeURIComponent(String(headers[tunnelHeaders.reason] ?? `tunnel answered ${status}`)),
          });
      });
      stream.once('error', (err) =>
        resolve({ ok: false, status: 502, reason: `tunnel to node ${peer.node} failed: ${err.message}` }),
      );
    });
  }

  private session(peer: { node: string; address: string; tunnelPort: number }): ClientHttp2Session {
    const key = `${peer.address}:${peer.tunnelPort}`;
    const existing = this.sessions.get(key);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = http2.connect(`http://${peer.address}:${peer.tunnelPort}`, { settings: tunnelSettings });
    session.on('connect', () => session.setLocalWindowSize(64 * 1024 * 1024));
    session.on('error', () => this.sessions.delete(key));
    session.on('close', () => this.sessions.delete(key));
    this.sessions.set(key, session);
    return session;
  }

  /** Closes every session. */
  close(): void {
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }
}
