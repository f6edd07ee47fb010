// The per-pod SOCKS5 proxy (RFC 1928): no authentication; CONNECT for TCP and UDP ASSOCIATE for
// datagrams (sent pod to pod as VXLAN by the agent). A policy denial answers REP 0x02
// "connection not allowed by ruleset"; a denied datagram is dropped and counted by the agent.
import dgram from 'node:dgram';
import net, { type Server } from 'node:net';
import { ipFromBytes, parseIP } from '@kemu/core';
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

/**
 * Sends one datagram for the pod (UDP ASSOCIATE); `srcPort` is the pod's UDP port, `reply` hands
 * an answer back to the client through the relay (false once the association has ended).
 */
export type DatagramRelay = (host: string, port: number, srcPort: number, data: Uint8Array, reply: DatagramReply) => unknown;

/** Sends a datagram from `host:port` to the association's client, with the RFC 1928 §7 header. */
export type DatagramReply = (host: string, port: number, data: Uint8Array) => boolean;

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

/** A reply (RFC 1928 §6): BND.ADDR/BND.PORT of the relay, ATYP 04 when it listens on IPv6; else zeros. */
function reply(code: number, bound?: { address: string; port: number }): Buffer {
  return Buffer.concat([Buffer.from([5, code, 0]), bound ? socksAddress(bound.address, bound.port) : socksAddress('0.0.0.0', 0)]);
}

/**
 * UDP ASSOCIATE (RFC 1928 §7): a relay socket on the agent's address; each datagram carries
 * `RSV(2) FRAG(1) ATYP DST.ADDR DST.PORT DATA`. Fragments are not supported (dropped, as allowed).
 * Replies go back to the client's UDP address with the same header naming their source. The
 * association lives as long as the TCP control connection.
 */
function associate(client: net.Socket, udp: { address: string; relay: DatagramRelay }): void {
  const socket = dgram.createSocket(net.isIPv6(udp.address) ? 'udp6' : 'udp4');
  // §7: the relay "MUST drop any datagrams arriving from any source IP address other than the one
  // recorded for the particular association" — the control connection's client address.
  const expected = unmapped(client.remoteAddress ?? '');
  let open = true;
  socket.on('message', (msg, from) => {
    if (msg.length < 4 || msg[2] !== 0 || unmapped(from.address) !== expected) return;
    const parsed = parseAddress(msg, 3);
    if (!parsed || 'error' in parsed) return;
    const answer: DatagramReply = (host, port, data) => {
      if (!open) return false;
      socket.send(Buffer.concat([udpHeader(host, port), data]), from.port, from.address);
      return true;
    };
    udp.relay(parsed.host, parsed.port, from.port, msg.subarray(parsed.length), answer);
  });
  socket.bind(0, udp.address, () => {
    client.write(reply(socksReply.succeeded, { address: udp.address, port: socket.address().port }));
    client.resume();
  });
  client.on('end', () => client.end());
  client.on('close', () => {
    open = false;
    socket.close();
  });
}

/** The RFC 1928 §7 UDP request header naming `host:port` (IPv4, IPv6 or a domain name). */
export function udpHeader(host: string, port: number): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0]), socksAddress(host, port)]);
}

/** ATYP DST.ADDR DST.PORT (RFC 1928 §4/§5): IPv4 (01), a domain name (03) or IPv6 (04). */
function socksAddress(host: string, port: number): Buffer {
  let addr: Buffer;
  if (net.isIPv4(host)) addr = Buffer.from([1, ...host.split('.').map(Number)]);
  else if (net.isIPv6(host)) addr = Buffer.concat([Buffer.from([4]), Buffer.from(parseIP(host).toBytes())]);
  else addr = Buffer.concat([Buffer.from([3, Buffer.byteLength(host, 'latin1')]), Buffer.from(host, 'latin1')]);
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  return Buffer.concat([addr, portBytes]);
}

function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
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
