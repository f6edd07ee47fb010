// Two-way UDP through the pods' SOCKS5 UDP ASSOCIATE relays (RFC 1928 §7), real sockets on
// loopback: two agents (127.0.0.41, 127.0.0.42), a UDP echo pod on each, a client pod on the first.
import dgram from 'node:dgram';
import net from 'node:net';
import { type NetworkPolicy, parseManifestsOrThrow } from '@kemu/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileNetworkPolicies, type PolicyEngine } from '../policy/engine.js';
import { type NodeAgent, type PodAttachment, startNodeAgent } from './agent.js';
import { MemoryDirectory } from './directory.js';

let engine: PolicyEngine = compileNetworkPolicies({ policies: [] });
const setPolicies = (yaml: string) => {
  engine = compileNetworkPolicies({ policies: yaml ? (parseManifestsOrThrow(yaml) as NetworkPolicy[]) : [] });
};
const client = '10.244.41.2';
const localEcho = '10.244.41.3';
const remoteEcho = '10.244.42.2';
const clusterIP = '10.96.0.53';
let a: NodeAgent;
let b: NodeAgent;
let pod: PodAttachment;
let echo: dgram.Socket;
const associations: Association[] = [];

beforeAll(async () => {
  const directory = new MemoryDirectory();
  const options = {
    directory,
    policy: () => engine,
    // kube-proxy's DNAT of the ClusterIP to the echo pod on the other node.
    resolveService: (d: { ip: string; port: number }) =>
      d.ip === clusterIP && d.port === 53 ? { ip: remoteEcho, port: 5353 } : undefined,
    // Short idle timeouts so the expiry test need not wait 30 s (the kernel defaults otherwise).
    udpTimeouts: { unrepliedMs: 400, streamMs: 400 },
  };
  a = await startNodeAgent({ node: 'a', address: '127.0.0.41', ...options });
  b = await startNodeAgent({ node: 'b', address: '127.0.0.42', ...options });
  echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  const udp = { 5353: { host: '127.0.0.1', port: echo.address().port } };
  await b.addPod({ namespace: 'default', name: 'echo-b', ip: remoteEcho, labels: { app: 'echo' }, udp });
  await a.addPod({ namespace: 'default', name: 'echo-a', ip: localEcho, labels: { app: 'echo' }, udp });
  pod = await a.addPod({ namespace: 'default', name: 'client', ip: client, labels: { app: 'client' } });
});
afterAll(async () => {
  for (const x of associations) x.close();
  await a?.close();
  await b?.close();
  await new Promise<void>((r) => echo?.close(() => r()));
});

interface Datagram {
  host: string;
  port: number;
  data: string;
}

interface Association {
  /** The client's UDP port: the pod's source port as the agent sees it. */
  port: number;
  send(host: string, port: number, data: string): Promise<void>;
  /** The next datagram the relay hands back, parsed from its RFC 1928 §7 header. */
  next(): Promise<Datagram>;
  received: Datagram[];
  close(): void;
}

/** A SOCKS5 UDP ASSOCIATE client (RFC 1928 §4, §7) of the client pod. */
async function associate(from = '127.0.0.1'): Promise<Association> {
  const u = new URL(pod.socksProxy);
  const control = net.connect(Number(u.port), u.hostname);
  const chunks: Buffer[] = [];
  const relayPort = await new Promise<number>((resolve) => {
    control.on('data', (d) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (all.length === 2) control.write(Buffer.from([5, 3, 0, 1, 0, 0, 0, 0, 0, 0]));
      if (all.length >= 12) resolve(all.readUInt16BE(10));
    });
    control.write(Buffer.from([5, 1, 0]));
  });
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, from, () => r()));
  const received: Datagram[] = [];
  const waiting: ((d: Datagram) => void)[] = [];
  socket.on('message', (m) => {
    // RSV(2) FRAG(1) ATYP=1 ADDR(4) PORT(2) DATA
    const d = { host: [...m.subarray(4, 8)].join('.'), port: m.readUInt16BE(8), data: m.subarray(10).toString() };
    received.push(d);
    waiting.shift()?.(d);
  });
  const assoc: Association = {
    port: socket.address().port,
    received,
    send: (host, port, data) => {
      const header = Buffer.from([0, 0, 0, 1, ...host.split('.').map(Number), port >> 8, port & 0xff]);
      return new Promise<void>((r) => socket.send(Buffer.concat([header, Buffer.from(data)]), relayPort, u.hostname, () => r()));
    },
    next: () => new Promise<Datagram>((resolve) => waiting.push(resolve)),
    close: () => {
      control.destroy();
      socket.close();
    },
  };
  associations.push(assoc);
  return assoc;
}

/** Waits until `check` holds (datagrams arrive asynchronously), up to 3 s. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

it('returns the echo of a pod on another node, named by its pod IP:port in the SOCKS header', async () => {
  // RFC 1928 §7: the relay encapsulates a reply with the UDP request header carrying its source.
  setPolicies('');
  const s = await associate();
  const reply = s.next();
  await s.send(remoteEcho, 5353, 'ping');
  expect(await reply).toEqual({ host: remoteEcho, port: 5353, data: 'echo:ping' });
});

it('counts the bytes of a flow per pair in both directions on both agents', async () => {
  // Each direction is its own pair: the sender's agent counts bytesSent, the receiver's bytesReceived.
  const s = await associate();
  const before = {
    out: a.counters.pair(client, remoteEcho).bytesSent,
    in: b.counters.pair(client, remoteEcho).bytesReceived,
    back: b.counters.pair(remoteEcho, client).bytesSent,
    home: a.counters.pair(remoteEcho, client).bytesReceived,
  };
  const reply = s.next();
  await s.send(remoteEcho, 5353, 'count');
  await reply;
  expect(a.counters.pair(client, remoteEcho).bytesSent - before.out).toBe(5);
  expect(b.counters.pair(client, remoteEcho).bytesReceived - before.in).toBe(5);
  expect(b.counters.pair(remoteEcho, client).bytesSent - before.back).toBe(10);
  expect(a.counters.pair(remoteEcho, client).bytesReceived - before.home).toBe(10);
});

it('returns the echo of a pod on the same node without crossing VXLAN', async () => {
  const s = await associate();
  const sentBefore = a.counters.node.datagrams;
  const reply = s.next();
  await s.send(localEcho, 5353, 'near');
  expect(await reply).toEqual({ host: localEcho, port: 5353, data: 'echo:near' });
  expect(a.counters.node.datagrams).toBe(sentBefore);
});

it('reports a reply to a Service address from the ClusterIP:port, not the endpoint pod', async () => {
  // kube-proxy DNATs the request; conntrack reverses it on the reply (the source is un-NATed).
  const s = await associate();
  const reply = s.next();
  await s.send(clusterIP, 53, 'svc');
  expect(await reply).toEqual({ host: clusterIP, port: 53, data: 'echo:svc' });
  expect(a.udpFlows().opened).toContainEqual(
    expect.objectContaining({ pod: { ip: client, port: s.port }, peer: { ip: remoteEcho, port: 5353 } }),
  );
});

it('admits the reply of an allowed flow to a pod isolated for ingress (policies are stateful)', async () => {
  // kubernetes.io Network Policies: "reply traffic for those connections will also be implicitly allowed".
  setPolicies(
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: client-in, namespace: default}\nspec: {podSelector: {matchLabels: {app: client}}}',
  );
  const s = await associate();
  const reply = s.next();
  await s.send(remoteEcho, 5353, 'stateful');
  expect((await reply).data).toBe('echo:stateful');
  setPolicies('');
});

it('sends no reply when ingress policy denies the request', async () => {
  setPolicies(
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: echo-in, namespace: default}\nspec: {podSelector: {matchLabels: {app: echo}}}',
  );
  const s = await associate();
  const drops = () => b.counters.pair(client, remoteEcho).drops['policy-ingress'] ?? 0;
  const before = drops();
  await s.send(remoteEcho, 5353, 'denied');
  await until(() => drops() > before);
  setPolicies('');
  expect(drops()).toBe(before + 1);
  // Dropped before the pod: no flow socket was opened, so nothing can answer.
  expect(b.udpFlows().towardPods.filter((f) => f.src.port === s.port)).toEqual([]);
  expect(s.received).toEqual([]);
});

it('closes the flow socket and forgets the NAT record once the flow is idle for its timeout', async () => {
  // nf_conntrack_udp_timeout: an idle UDP flow's entry expires (30 s by default; 400 ms here).
  const s = await associate();
  const reply = s.next();
  await s.send(clusterIP, 53, 'expire');
  await reply;
  const flow = b.udpFlows().towardPods.find((f) => f.src.port === s.port);
  expect(flow?.localPort).toBeGreaterThan(0);
  const mine = () => ({
    b: b.udpFlows().towardPods.filter((f) => f.src.port === s.port).length,
    a: a.udpFlows().opened.filter((f) => f.pod.port === s.port).length,
  });
  await until(() => mine().a + mine().b === 0);
  expect(mine()).toEqual({ a: 0, b: 0 });
  // The port is free again on the agent's address.
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.bind(flow?.localPort, '127.0.0.42', () => resolve());
  });
  await new Promise<void>((r) => probe.close(() => r()));
});

it("drops datagrams reaching the relay from another IP than the control connection's client", async () => {
  // RFC 1928 §7: the relay "MUST drop any datagrams arriving from any source IP address other
  // than the one recorded for the particular association".
  const stranger = await associate('127.0.0.9');
  const s = await associate();
  const reply = s.next();
  await stranger.send(remoteEcho, 5353, 'spoofed');
  await s.send(remoteEcho, 5353, 'after');
  expect((await reply).data).toBe('echo:after');
  expect(a.udpFlows().opened.filter((f) => f.pod.port === stranger.port)).toEqual([]);
  expect(stranger.received).toEqual([]);
});
