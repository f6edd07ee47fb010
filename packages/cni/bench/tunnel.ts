// Tunnel throughput (one TCP stream pod -> pod across two node agents vs a direct loopback
// socket) and 1,000 concurrent streams over one node pair.
import net from 'node:net';
import { MemoryDirectory, startNodeAgent } from '../src/agent/index.js';
import { compileNetworkPolicies } from '../src/index.js';

const total = 512 * 1024 * 1024;
const chunk = Buffer.alloc(256 * 1024, 7);

/** Sends `total` bytes on `socket`; resolves when the sink has counted them all. */
function pump(socket: net.Socket, done: Promise<void>): Promise<number> {
  const start = performance.now();
  let sent = 0;
  const write = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!socket.write(chunk)) return void socket.once('drain', write);
    }
    socket.end();
  };
  write();
  return done.then(() => total / ((performance.now() - start) / 1000) / 1e6);
}

function connectVia(proxyPort: number, target: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxyPort, '127.0.0.2', () => s.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`));
    s.once('data', (d) => (d.toString().startsWith('HTTP/1.1 200') ? resolve(s) : reject(new Error(d.toString()))));
    s.once('error', reject);
  });
}

export async function benchTunnel(): Promise<void> {
  const directory = new MemoryDirectory();
  const policy = compileNetworkPolicies({ policies: [] });
  const a = await startNodeAgent({ node: 'a', address: '127.0.0.2', directory, policy: () => policy });
  const b = await startNodeAgent({ node: 'b', address: '127.0.0.3', directory, policy: () => policy });
  let received = 0;
  let target = total;
  let onDone: () => void = () => {};
  const sink = net.createServer((s) => {
    s.on('data', (d) => {
      received += d.length;
      if (received >= target) onDone();
    });
    s.on('error', () => {});
  });
  const echo = net.createServer((s) => {
    s.on('data', (d) => s.write(d));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const sinkPort = (sink.address() as net.AddressInfo).port;
  const echoPort = (echo.address() as net.AddressInfo).port;
  try {
    await b.addPod({
      namespace: 'default',
      name: 'sink',
      ip: '10.244.1.2',
      tcp: { 9: { host: '127.0.0.1', port: sinkPort }, 7: { host: '127.0.0.1', port: echoPort } },
    });
    const pod = await a.addPod({ namespace: 'default', name: 'src', ip: '10.244.0.2' });
    const proxyPort = Number(new URL(pod.httpProxy).port);
    const run = async (socket: net.Socket) => {
      received = 0;
      target = total;
      return pump(socket, new Promise<void>((r) => (onDone = r)));
    };
    const direct = await run(
      await new Promise<net.Socket>((r) => {
        const s = net.connect(sinkPort, '127.0.0.1', () => r(s));
      }),
    );
    const tunnelled = await run(await connectVia(proxyPort, '10.244.1.2:9'));
    console.log(
      `tunnel: one stream pod->pod across two agents ${tunnelled.toFixed(0)} MB/s vs direct loopback ${direct.toFixed(0)} MB/s = ${((tunnelled / direct) * 100).toFixed(0)}% (target >= 50%)`,
    );
    const streams = 1000;
    const start = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: streams }, async () => {
        const s = await connectVia(proxyPort, '10.244.1.2:7');
        const back = new Promise<void>((r) => s.once('data', () => r()));
        s.write('x');
        await back;
        return s;
      }),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const ms = performance.now() - start;
    for (const r of ok) (r as PromiseFulfilledResult<net.Socket>).value.destroy();
    console.log(
      `tunnel: ${ok.length}/${streams} concurrent streams open and echoing over one HTTP/2 connection in ${ms.toFixed(0)} ms (target >= 1,000)`,
    );
  } finally {
    await a.close();
    await b.close();
    sink.close();
    echo.close();
  }
}
