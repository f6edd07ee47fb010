// The SOCKS5 server on its own, on an IPv6 loopback address (an agent advertised on ::1).
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createSocksProxy } from './socks.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

it('answers UDP ASSOCIATE on an IPv6 address with an IPv6 BND.ADDR the client can send to', async () => {
  // RFC 1928 §6: BND.ADDR/BND.PORT is where the relay listens, with ATYP 04 for an IPv6 address;
  // §7: the client sends its datagrams there.
  const relayed: { host: string; port: number; data: string }[] = [];
  const server = createSocksProxy(async () => ({ ok: false, status: 502, reason: 'no streams here' }), {
    address: '::1',
    relay: (host, port, _srcPort, data) => relayed.push({ host, port, data: Buffer.from(data).toString() }),
  });
  await new Promise<void>((resolve) => server.listen(0, '::1', () => resolve()));
  closers.push(() => server.close());
  const control = net.connect((server.address() as net.AddressInfo).port, '::1');
  closers.push(() => control.destroy());
  const answer = await new Promise<Buffer>((resolve) => {
    let got = Buffer.alloc(0);
    control.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length === 2) control.write(Buffer.from([5, 3, 0, 1, 0, 0, 0, 0, 0, 0]));
      // The method choice (2 bytes), then VER REP RSV ATYP, BND.ADDR (4 or 16 bytes), BND.PORT.
      if (got.length >= 8 + (got[5] === 4 ? 16 : 4)) resolve(got.subarray(2));
    });
    control.write(Buffer.from([5, 1, 0]));
  });
  expect([...answer.subarray(0, 4)]).toEqual([5, 0, 0, 4]);
  expect(answer.subarray(4, 20)).toEqual(Buffer.from([...Array(15).fill(0), 1]));
  const socket = dgram.createSocket('udp6');
  closers.push(() => socket.close());
  const datagram = Buffer.concat([Buffer.from([0, 0, 0, 1, 10, 244, 1, 2, 0, 53]), Buffer.from('over ::1')]);
  socket.send(datagram, answer.readUInt16BE(20), '::1');
  const deadline = Date.now() + 3000;
  while (relayed.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(relayed).toEqual([{ host: '10.244.1.2', port: 53, data: 'over ::1' }]);
});
