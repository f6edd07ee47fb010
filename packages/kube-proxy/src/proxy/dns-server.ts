// Cluster DNS over UDP and TCP on a loopback port, answering from the pure ClusterDns model.
// Wire handling as CoreDNS does it: FORMERR for what does not parse or asks more than one
// question, NOTIMP for opcodes other than QUERY, TC set when a UDP answer exceeds 512 bytes
// (or the client's EDNS buffer), queries too large for a query refused.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import type { ClusterDns } from '../dns/cluster-dns.js';
import { ListenFailedError } from '../errors.js';

const rcodeNumbers = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const AUTHORITATIVE = dnsPacket.AUTHORITATIVE_ANSWER;
const RECURSION_DESIRED = dnsPacket.RECURSION_DESIRED;
/** No valid query needs more than this (one question, one OPT record): larger is refused. */
const maxQueryBytes = 4096;

/** Answers one wire-format query; undefined when nothing can be answered (not even an ID). */
export function answerWire(dns: ClusterDns, query: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
  if (query.length < 12) return undefined;
  const id = query.readUInt16BE(0);
  const rd = query.readUInt16BE(2) & RECURSION_DESIRED;
  const error = (rcode: keyof typeof rcodeNumbers) =>
    dnsPacket.encode({ id, type: 'response', flags: rd | rcodeNumbers[rcode], questions: [] } as Packet);
  if (query.length > maxQueryBytes) return error('FORMERR');
  let packet: Packet;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return error('FORMERR');
  }
  if (packet.type === 'response') return undefined;
  const opcode = (query.readUInt16BE(2) >> 11) & 0xf;
  if (opcode !== 0) return error('NOTIMP');
  const questions = packet.questions ?? [];
  if (questions.length !== 1) return error('FORMERR');
  const question = questions[0] as { name: string; type: string; class?: string };
  const opt = (packet.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  const result = dns.answer({ name: question.name, type: question.type });
  const flags = rd | (result.authoritative ? AUTHORITATIVE : 0) | rcodeNumbers[result.rcode];
  const additionals: Answer[] = [...(result.additionals as Answer[])];
  if (opt) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as Answer);
  const response: Packet = {
    id,
    type: 'response',
    flags,
    questions: [question] as Packet['questions'],
    answers: result.answers as Answer[],
    authorities: result.authority as Answer[],
    additionals,
  };
  const encoded = dnsPacket.encode(response);
  const limit = transport === 'tcp' ? 65535 : Math.max(512, Math.min(opt?.udpPayloadSize ?? 512, 4096));
  if (encoded.length <= limit) return encoded;
  // Too big for this UDP client: truncated, so it retries over TCP.
  return dnsPacket.encode({
    ...response,
    flags: flags | (1 << 9),
    answers: [],
    authorities: [],
    additionals: opt ? additionals.slice(-1) : [],
  });
}

/** A running DNS server. */
export interface DnsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `dns` on UDP and TCP at `host:port` (port 0 picks a free one, the same for both). */
export async function startDnsServer(dns: ClusterDns, options: { host?: string; port?: number } = {}): Promise<DnsServer> {
  const host = options.host ?? '127.0.0.1';
  const tcp = net.createServer((socket) => serveTcp(dns, socket));
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', (err) => reject(new ListenFailedError(`${host}:${options.port ?? 0}/TCP`, err)));
    tcp.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => {
    const reply = answerWire(dns, msg, 'udp');
    if (reply) udp.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', (err) => reject(new ListenFailedError(`${host}:${port}/UDP`, err)));
    udp.bind(port, host, () => resolve());
  });
  const sockets = new Set<net.Socket>();
  tcp.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    host,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => tcp.close(() => r())), new Promise<void>((r) => udp.close(() => r()))]);
    },
  };
}

/** DNS over TCP: 2-byte length prefix per message (RFC 1035 §4.2.2, RFC 7766). */
function serveTcp(dns: ClusterDns, socket: net.Socket): void {
  let buffer = Buffer.alloc(0);
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2) {
      const length = buffer.readUInt16BE(0);
      if (length > maxQueryBytes) {
        // An oversized query: answer FORMERR if the header is here, then close.
        if (buffer.length >= 14) {
          const reply = answerWire(dns, buffer.subarray(2, 2 + Math.min(length, buffer.length - 2)), 'tcp');
          if (reply) writeFramed(socket, reply);
        }
        socket.end();
        buffer = Buffer.alloc(0);
        return;
      }
      if (buffer.length < 2 + length) return;
      const message = buffer.subarray(2, 2 + length);
      buffer = buffer.subarray(2 + length);
      const reply = answerWire(dns, message, 'tcp');
      if (reply) writeFramed(socket, reply);
      else {
        socket.destroy();
        return;
      }
    }
  });
}

function writeFramed(socket: net.Socket, message: Buffer): void {
  const frame = Buffer.alloc(2 + message.length);
  frame.writeUInt16BE(message.length, 0);
  message.copy(frame, 2);
  socket.write(frame);
}
