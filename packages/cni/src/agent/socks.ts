// The per-pod SOCKS5 proxy (RFC 1928): no authentication; CONNECT for TCP and UDP ASSOCIATE for
// datagrams (sent pod to pod as VXLAN by the agent). A policy denial answers REP 0x02
// "connection not allowed by ruleset"; a denied datagram is dropped and counted by the agent.
import dgram from 'node:dgram';
import net, { type Server } from 'node:net';
import { ipFromBytes } from '@kemu/core';
import type { Dialer } from './http-proxy.js';
import { splice } from './tunnel.js';

/** SOCKS5 reply codes used here (RFC 1928 §6). */
export const socksReply = {
  succeeded: 0,
  notAllowed: 2,
  hostUnreachable: 4,
  connectionRefused: 5,
  commandNotSupported: 7,
  addressNotSupported: 8,
} as const;

/** Sends one datagram for the pod (UDP ASSOCIATE); `srcPort` is the pod's UDP port. */
export type DatagramRelay = (host: string, port: number, srcPort: number, data: Uint8Array) => unknown;

/** Creates the pod's SOCKS5 server (not yet listening); `udp` enables UDP ASSOCIATE. */
export function createSocksProxy(dial: Dialer, udp?: { address: string; relay: DatagramRelay }): Server {
  // allowHalfOpen: a pod's FIN must reach the peer as a half-close, not end our side too.
  return net.createServer({ allowHalfOpen: true }, (client) => {
    client.on('error', () => client.destroy());
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'request' | 'done' = 'greeting';
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === 'greeting') {
        if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
        if (buf[0] !== 5) return void client.destroy();
        const methods = buf.subarray(2, 2 + buf[1]!);
        buf = buf.subarray(2 + buf[1]!);
        if (!methods.includes(0)) return void client.end(Buffer.from([5, 0xff]));
        client.write(Buffer.from([5, 0]));
        stage = 'request';
      }
      if (stage === 'request') {
        const req = parseRequest(buf);
        if (req === undefined) return;
        stage = 'done';
        client.off('data', onData);
        client.pause();
        if ('error' in req) return void client.end(reply(req.error));
        if (req.command === 3 && udp) return void associate(client, udp);
        if (req.command === 3) return void client.end(reply(socksReply.commandNotSupported));
        const rest = buf.subarray(req.length);
        void dial(req.host, req.port, client.remotePort ?? 0).then((outcome) => {
          if (!outcome.ok) {
            // A Service rejection (503) is kube-proxy's REJECT: the pod sees a refused connection.
            const code =
              outcome.status === 403
                ? socksReply.notAllowed
                : outcome.status === 503
                  ? socksReply.connectionRefused
                  : socksReply.hostUnreachable;
            return void client.end(reply(code));
          }
          client.write(reply(socksReply.succeeded));
          if (rest.length > 0) outcome.stream.write(rest);
          splice(outcome.stream, client);
          client.resume();
        });
      }
    };
    client.on('data', onData);
  });
}

function reply(code: number, bound?: { address: string; port: number }): Buffer {
  const b = Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
  if (bound) {
    Buffer.from(bound.address.split('.').map(Number)).copy(b, 4);
    b.writeUInt16BE(bound.port, 8);
  }
  return b;
}

/**
 * UDP ASSOCIATE (RFC 1928 §7): a relay socket on the agent's address; each datagram carries
 * `RSV(2) FRAG(1) ATYP DST.ADDR DST.PORT DATA`. Fragments are not supported (dropped, as allowed).
 * The association lives as long as the TCP control connection.
 */
function associate(client: net.Socket, udp: { address: string; relay: DatagramRelay }): void {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, from) => {
    if (msg.length < 4 || msg[2] !== 0) return;
    const parsed = parseAddress(msg, 3);
    if (!parsed || 'error' in parsed) return;
    udp.relay(parsed.host, parsed.port, from.port, msg.subarray(parsed.length));
  });
  socket.bind(0, udp.address, () => {
    client.write(reply(socksReply.succeeded, { address: udp.address, port: socket.address().port }));
    client.resume();
  });
  client.on('end', () => client.end());
  client.on('close', () => socket.close());
}

function parseRequest(
  b: Buffer,
): { command: number; host: string; port: number; length: number } | { error: number } | undefined {
  if (b.length < 5) return undefined;
  if (b[1] !== 1 && b[1] !== 3) return { error: socksReply.commandNotSupported };
  const parsed = parseAddress(b, 3);
  return parsed && !('error' in parsed) ? { command: b[1]!, ...parsed } : parsed;
}

/** ATYP DST.ADDR DST.PORT at `at`; `length` is the offset just past the port. */
function parseAddress(b: Buffer, at0: number): { host: string; port: number; length: number } | { error: number } | undefined {
  const atyp = b[at0];
  const base = at0 + 1;
  let host: string;
  let at: number;
  if (atyp === 1) {
    if (b.length < base + 6) return undefined;
    host = ipFromBytes(b.subarray(base, base + 4)).toString();
    at = base + 4;
  } else if (atyp === 4) {
    if (b.length < base + 18) return undefined;
    host = ipFromBytes(b.subarray(base, base + 16)).toString();
    at = base + 16;
  } else if (atyp === 3) {
    const len = b[base]!;
    if (b.length < base + 1 + len + 2) return undefined;
    host = b.subarray(base + 1, base + 1 + len).toString('latin1');
    at = base + 1 + len;
  } else return { error: socksReply.addressNotSupported };
  return { host, port: b.readUInt16BE(at), length: at + 2 };
}
