import http2 from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTunnelServer, tunnelHeaders } from './tunnel.js';

// The destination side of the overlay tunnel (CONNECT per stream, RFC 9113 §8.5). A peer may
// cancel a stream (RST_STREAM) while the agent is still connecting to the pod: the agent must
// drop the pod socket, never answer on the dead stream (Node throws ERR_HTTP2_INVALID_STREAM).
describe('the tunnel server', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('drops the pod connection when the peer cancelled the stream while it was being opened', async () => {
    const pod = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => pod.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => pod.close(() => resolve())));
    let release: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => {
      release = resolve;
    });
    let podSocket: Socket | undefined;
    const server = createTunnelServer(
      () => ({
        ok: true,
        connect: async () => {
          await opened;
          podSocket = net.connect((pod.address() as AddressInfo).port, '127.0.0.1');
          await new Promise((resolve) => podSocket!.once('connect', resolve));
          return podSocket;
        },
      }),
      () => undefined,
    );
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    closers.push(() => void process.off('uncaughtException', onUncaught));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    closers.push(() => void session.destroy());
    const stream = session.request({
      ':method': 'CONNECT',
      ':authority': '10.244.1.5:8080',
      [tunnelHeaders.srcIP]: '10.244.2.7',
      [tunnelHeaders.srcPort]: '40000',
      [tunnelHeaders.srcNode]: 'kemu-worker2',
    });
    stream.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(uncaught).toEqual([]);
    expect(podSocket?.destroyed).toBe(true);
  });
});
