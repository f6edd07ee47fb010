// The ClusterIP hook (kube-proxy's DNAT before the CNI): what the agent tells it about the source,
// and how a rejection (kube-proxy's filter REJECT/DROP) reaches the pod. Real sockets on loopback.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getVia } from '../../test/proxy-get.js';
import { compileNetworkPolicies } from '../policy/engine.js';
import { type NodeAgent, type PodAttachment, startNodeAgent } from './agent.js';
import { MemoryDirectory } from './directory.js';
import type { ServiceClient, ServiceResolver } from './types.js';

const engine = compileNetworkPolicies({ policies: [] });
const seen: { dst: string; src: ServiceClient | undefined }[] = [];
// 10.96.0.10 → the web pod; 10.96.0.20 has no endpoint for this node (internalTrafficPolicy: Local).
const rejection = 'service default/local-only:http has no local endpoints';
const resolveService: ServiceResolver = (dst, src) => {
  seen.push({ dst: `${dst.ip}:${dst.port}/${dst.protocol}`, src });
  if (dst.ip === '10.96.0.10') return { ip: '10.244.6.3', port: 80 };
  if (dst.ip === '10.96.0.20') return { reject: rejection };
  return undefined;
};
let agent: NodeAgent;
let pod: PodAttachment;
let web: http.Server;

beforeAll(async () => {
  agent = await startNodeAgent({
    node: 'hook-node',
    address: '127.0.0.6',
    directory: new MemoryDirectory(),
    policy: () => engine,
    resolveService,
  });
  web = http.createServer((req, res) => res.end(`web: ${req.url}`));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  const port = (web.address() as net.AddressInfo).port;
  await agent.addPod({ namespace: 'default', name: 'web', ip: '10.244.6.3', tcp: { 80: { host: '127.0.0.1', port } } });
  pod = await agent.addPod({ namespace: 'default', name: 'client', ip: '10.244.6.2' });
});
afterAll(async () => {
  await agent?.close();
  await new Promise<void>((r) => web.close(() => r()));
});

it('tells the service hook the source pod, its port and its node', async () => {
  // kube-proxy's choice depends on the client: ClientIP affinity keys on the source IP
  // (the `recent` match), and traffic policies/topology on the node it runs on.
  seen.length = 0;
  const r = await getVia(pod.httpProxy, 'http://10.96.0.10/hello');
  expect(r).toMatchObject({ status: 200, body: 'web: /hello' });
  expect(seen).toHaveLength(1);
  expect(seen[0]?.dst).toBe('10.96.0.10:80/TCP');
  expect(seen[0]?.src).toMatchObject({ ip: '10.244.6.2', node: 'hook-node' });
  expect(seen[0]?.src?.port).toBeGreaterThan(0);
});

it('answers 503 with the rejection reason when the Service has no endpoint for this client', async () => {
  // pkg/proxy/iptables/proxier.go: a Service without usable endpoints is filtered (REJECT /
  // "has no local endpoints" DROP) before any DNAT; the pod's proxy says so instead of dialling.
  const before = agent.counters.node.drops['service-rejected'] ?? 0;
  const r = await getVia(pod.httpProxy, 'http://10.96.0.20/');
  expect(r.status).toBe(503);
  expect(r.reason).toBe(rejection);
  expect(r.body).toBe(`${rejection}\n`);
  expect(agent.counters.node.drops['service-rejected']).toBe(before + 1);
});

it('refuses a SOCKS5 CONNECT to a rejecting Service with REP 0x05 (connection refused, RFC 1928 §6)', async () => {
  // kube-proxy's REJECT answers ICMP port-unreachable: the client sees a refused connection.
  const u = new URL(pod.socksProxy);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.write(Buffer.from([5, 1, 0]));
  const replies: Buffer[] = [];
  await new Promise<void>((resolve) => {
    socket.on('data', (d) => {
      replies.push(d);
      const all = Buffer.concat(replies);
      if (all.length === 2) socket.write(Buffer.from([5, 1, 0, 1, 10, 96, 0, 20, 0, 80]));
      if (all.length >= 12) resolve();
    });
  });
  socket.destroy();
  expect(Buffer.concat(replies)[3]).toBe(5);
});

it('drops a datagram to a rejecting Service with the reason and passes the UDP source', () => {
  seen.length = 0;
  const outcome = agent.sendDatagram('10.244.6.2', 5353, '10.96.0.20', 53, Buffer.from('q'));
  expect(outcome).toEqual({ ok: false, reason: rejection });
  expect(seen).toEqual([{ dst: '10.96.0.20:53/UDP', src: { ip: '10.244.6.2', port: 5353, node: 'hook-node' } }]);
});
