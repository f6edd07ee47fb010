// L4 proxy benchmark. Clients and the backend run in a worker thread so the proxy (main thread)
// has its own core, as a separate node agent would; "direct" runs the same client against the
// same backend in the same run, and each figure is the median of three.
import { Worker } from 'node:worker_threads';
import type { EndpointSlice, KubernetesObject, Service } from '@kemu/core';
import { Proxier } from '../src/index.js';
import { NodeProxy } from '../src/proxy/index.js';

const workerSource = `
const net = require('node:net');
const { parentPort } = require('node:worker_threads');
const sockets = new Set();
const server = net.createServer((s) => {
  sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {});
  s.write('k'); s.on('data', () => {}); s.on('end', () => s.end());
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
function throughput(port, bytes) {
  const chunk = Buffer.alloc(1 << 16, 7);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect(port, '127.0.0.1', () => {
      let sent = 0;
      const pump = () => {
        while (sent < bytes) { sent += chunk.length; if (!socket.write(chunk)) return void socket.once('drain', pump); }
        socket.end();
      };
      pump();
    });
    socket.on('data', () => {});
    socket.on('close', () => resolve(bytes / ((performance.now() - t0) / 1000)));
    socket.on('error', reject);
  });
}
async function cps(port, total, concurrency) {
  let started = 0;
  const t0 = performance.now();
  const one = () => new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('data', () => s.end()); s.once('close', () => resolve()); s.once('error', reject);
  });
  const loop = async () => { while (started < total) { started++; await one(); } };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return total / ((performance.now() - t0) / 1000);
}
parentPort.on('message', async (m) => {
  if (m.cmd === 'close') { for (const s of sockets) s.destroy(); server.close(); return; }
  const value = m.cmd === 'throughput' ? await throughput(m.port, m.bytes) : await cps(m.port, m.total, m.concurrency);
  parentPort.postMessage({ value });
});
`;

function ask(worker: Worker, message: object): Promise<number> {
  return new Promise((resolve) => {
    worker.once('message', (m: { value: number }) => resolve(m.value));
    worker.postMessage(message);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Throughput and new connections/s through a NodePort vs direct; prints two rows. */
export async function proxyBench(
  row: (name: string, value: string, peer: string, ratio: string) => void,
  slice: (namespace: string, name: string, s: number, n: number, variant: number) => EndpointSlice,
): Promise<void> {
  const worker = new Worker(workerSource, { eval: true });
  const backendPort = await new Promise<number>((r) => worker.once('message', (m: { port: number }) => r(m.port)));
  const nodePort = 30080;
  const objects: KubernetesObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort }] },
    } as Service,
    slice('default', 'web', 1, 1, 0),
  ];
  const proxier = Proxier.from(objects, { nodeName: 'node-0', clusterCIDR: '10.0.0.0/8' });
  const proxy = await NodeProxy.start({ proxier, resolve: () => ({ host: '127.0.0.1', port: backendPort }) });
  try {
    const bytes = 256 * 1024 * 1024;
    await ask(worker, { cmd: 'throughput', port: nodePort, bytes: 32 << 20 });
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let i = 0; i < 3; i++) {
      direct.push(await ask(worker, { cmd: 'throughput', port: backendPort, bytes }));
      proxied.push(await ask(worker, { cmd: 'throughput', port: nodePort, bytes }));
    }
    const [d, p] = [median(direct), median(proxied)];
    const gbit = (x: number) => `${((x / 1e9) * 8).toFixed(2)} Gbit/s`;
    row(
      'L4 TCP throughput via NodePort (256 MiB ×3)',
      gbit(p),
      `direct: ${gbit(d)}`,
      `${((p / d) * 100).toFixed(0)} % of direct (target ≥ 50 %)`,
    );
    const directCps: number[] = [];
    const proxiedCps: number[] = [];
    for (let i = 0; i < 3; i++) {
      directCps.push(await ask(worker, { cmd: 'cps', port: backendPort, total: 2000, concurrency: 20 }));
      proxiedCps.push(await ask(worker, { cmd: 'cps', port: nodePort, total: 2000, concurrency: 20 }));
    }
    const [dc, pc] = [median(directCps), median(proxiedCps)];
    row(
      'L4 new connections/s via NodePort (2000 ×3)',
      `${pc.toFixed(0)} /s`,
      `direct: ${dc.toFixed(0)} /s`,
      `${((pc / dc) * 100).toFixed(0)} % of direct (target ≥ 50 %)`,
    );
  } finally {
    await proxy.close();
    worker.postMessage({ cmd: 'close' });
    await worker.terminate();
  }
}
