// A SOCKS5 UDP ASSOCIATE client (RFC 1928 §3, §4, §6, §7), written from the RFC rather than from
// kemu's relay, so that an e2e test can be a pod's UDP client and check the relay against the spec.
import dgram from 'node:dgram';
import net from 'node:net';

/** A datagram the relay handed back, with the source its RFC 1928 §7 header names. */
export interface RelayedDatagram {
  host: string;
  port: number;
  data: Buffer;
}

/** One UDP association: a TCP control connection and the UDP socket whose datagrams it covers. */
export interface UdpAssociation {
  /** The client's UDP port: the pod's source port as its agent sees it. */
  readonly port: number;
  /** Sends `data` to `host:port` (IPv4) through the relay. */
  send(host: string, port: number, data: Buffer): Promise<void>;
  /** The next datagram the relay returns, or undefined if none arrives within `timeoutMs`. */
  receive(timeoutMs: number): Promise<RelayedDatagram | undefined>;
  /** Ends the association (§7: it terminates with its TCP connection). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Opens a UDP association with the SOCKS5 server at `proxy` (`socks5://host:port`). */
export async function associateUdp(proxy: string): Promise<UdpAssociation> {
  const server = new URL(proxy);
  const control = net.connect(Number(server.port), server.hostname);
  const read = bufferedReader(control);
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      control.once('connect', resolve);
      control.once('error', reject);
    });
    // §7: datagrams must come from the control connection's client address: bind the UDP socket there.
    await new Promise<void>((resolve) => socket.bind(0, control.localAddress, () => resolve()));
    // §3: version 5, one method, 0x00 "no authentication required".
    control.write(Buffer.from([5, 1, 0]));
    const choice = await read(2);
    if (choice[0] !== 5 || choice[1] !== 0) throw new Error(`SOCKS server refused method 0: ${choice.toString('hex')}`);
    // §4: CMD 3 UDP ASSOCIATE, DST = the address the client will send its datagrams from.
    control.write(Buffer.concat([Buffer.from([5, 3, 0]), ipv4Address(socket.address().address, socket.address().port)]));
    const head = await read(4);
    if (head[1] !== 0) throw new Error(`UDP ASSOCIATE refused, REP ${head[1]} (RFC 1928 §6)`);
    if (head[3] !== 1) throw new Error(`expected an IPv4 BND.ADDR from the relay, got ATYP ${head[3]}`);
    const bound = await read(6);
    const relay = { host: [...bound.subarray(0, 4)].join('.'), port: bound.readUInt16BE(4) };
    return association(control, socket, relay);
  } catch (error) {
    control.destroy();
    socket.close();
    throw error;
  }
}

function association(control: net.Socket, socket: dgram.Socket, relay: { host: string; port: number }): UdpAssociation {
  const inbox: RelayedDatagram[] = [];
  let wake: (() => void) | undefined;
  socket.on('message', (message, from) => {
    // §7: RSV(2) FRAG(1) ATYP DST.ADDR DST.PORT DATA; only unfragmented IPv4 from the relay here.
    if (from.port !== relay.port || message.length < 10 || message[2] !== 0 || message[3] !== 1) return;
    inbox.push({ host: [...message.subarray(4, 8)].join('.'), port: message.readUInt16BE(8), data: message.subarray(10) });
    wake?.();
  });
  const close = async () => {
    control.destroy();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  };
  return {
    port: socket.address().port,
    send: (host, port, data) =>
      new Promise<void>((resolve, reject) =>
        socket.send(Buffer.concat([Buffer.from([0, 0, 0]), ipv4Address(host, port), data]), relay.port, relay.host, (error) =>
          error ? reject(error) : resolve(),
        ),
      ),
    async receive(timeoutMs) {
      if (inbox.length === 0)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      wake = undefined;
      return inbox.shift();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** ATYP 1, the four address bytes and the port (RFC 1928 §4/§5). */
function ipv4Address(host: string, port: number): Buffer {
  if (!net.isIPv4(host)) throw new Error(`not an IPv4 address: ${host}`);
  const bytes = Buffer.from([1, ...host.split('.').map(Number), 0, 0]);
  bytes.writeUInt16BE(port, 5);
  return bytes;
}

/** Reads exactly `n` bytes at a time from a stream (replies may arrive split or joined). */
function bufferedReader(stream: net.Socket): (n: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let pending: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  const flush = () => {
    if (!pending || buffered.length < pending.n) return;
    const { n, resolve } = pending;
    pending = undefined;
    const out = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    resolve(out);
  };
  stream.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    flush();
  });
  const fail = (error: Error) => pending?.reject(error);
  stream.on('error', fail);
  stream.on('close', () => fail(new Error('the SOCKS server closed the control connection')));
  return (n) =>
    new Promise<Buffer>((resolve, reject) => {
      pending = { n, resolve, reject };
      flush();
    });
}
