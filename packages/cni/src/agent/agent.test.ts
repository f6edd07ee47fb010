// Real sockets on loopback: two node agents (127.0.0.2, 127.0.0.3), pods as loopback listeners.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { type NetworkPolicy, parseManifestsOrThrow } from '@kemu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileNetworkPolicies, type PolicyEngine } from '../policy/engine.js';
import { encodeVxlan } from '../vxlan/encode.js';
import { type NodeAgent, type PodAttachment, startNodeAgent } from './agent.js';
import { MemoryDirectory } from './directory.js';

let engine: PolicyEngine = compileNetworkPolicies({ policies: [] });
const setPolicies = (yaml: string) => {
  engine = compileNetworkPolicies({ policies: yaml ? (parseManifestsOrThrow(yaml) as NetworkPolicy[]) : [] });
};
const directory = new MemoryDirectory();
const closers: (() => Promise<void> | void)[] = [];
let n1: NodeAgent;
let n2: NodeAgent;
let a: PodAttachment;
let udpInbox: { msg: string; from: number }[] = [];
let udpPort = 0;

async function listen(server: net.Server | http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  const agentOpts = {
    directory,
    policy: () => engine,
    resolveService: (d: { ip: string; port: number }) => (d.ip === '10.96.0.10' ? { ip: '10.244.1.2', port: 80 } : undefined),
  };
  n1 = await startNodeAgent({ node: 'n1', address: '127.0.0.2', ...agentOpts });
  n2 = await startNodeAgent({ node: 'n2', address: '127.0.0.3', ...agentOpts });
  // Pod b on n2: an echo server that half-closes after the client does, and an HTTP server.
  const echoServer = () =>
    net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end('|bye'));
      s.on('error', () => {});
    });
  const echo = echoServer();
  const web = http.createServer((req, res) => res.end(`hello from b: ${req.method} ${req.url}`));
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => udpInbox.push({ msg: m.toString(), from: r.port }));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  udpPort = udp.address().port;
  closers.push(() => new Promise<void>((r) => udp.close(() => r())));
  const b = { namespace: 'default', name: 'b', ip: '10.244.1.2', labels: { app: 'b' } };
  await n2.addPod({
    ...b,
    tcp: { 7: { host: '127.0.0.1', port: await listen(echo) }, 80: { host: '127.0.0.1', port: await listen(web) } },
    udp: { 53: { host: '127.0.0.1', port: udpPort } },
  });
  a = await n1.addPod({ namespace: 'default', name: 'a', ip: '10.244.0.2', labels: { app: 'a' } });
  await n1.addPod({
    namespace: 'default',
    name: 'c',
    ip: '10.244.0.3',
    labels: { app: 'c' },
    tcp: { 7: { host: '127.0.0.1', port: await listen(echoServer()) } },
  });
});
afterAll(async () => {
  await n1?.close();
  await n2?.close();
  for (const c of closers.reverse()) await c();
});

/** Waits until `check` holds (datagrams arrive asynchronously), up to 3 s. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/** Opens a CONNECT tunnel through an HTTP proxy; resolves with the status line and the socket. */
function connectVia(proxy: string, target: string): Promise<{ status: number; head: string; socket: net.Socket }> {
  const u = new URL(proxy);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname, () =>
      socket.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`),
    );
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve({ status: Number(buf.split(' ')[1]), head: buf, socket });
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

function readAll(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
  });
}

describe('TCP between pods on two node agents', () => {
  it('tunnels a CONNECT stream over HTTP/2 and propagates half-close both ways', async () => {
    setPolicies('');
    const { status, socket } = await connectVia(a.httpProxy, '10.244.1.2:7');
    expect(status).toBe(200);
    const got = readAll(socket);
    socket.end('ping');
    expect(await got).toBe('ping|bye');
    expect(n1.counters.pair('10.244.0.2', '10.244.1.2').connections).toBeGreaterThan(0);
  });

  it('forwards absolute-form HTTP requests through the pod proxy', async () => {
    const u = new URL(a.httpProxy);
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get(
          { host: u.hostname, port: Number(u.port), path: 'http://10.244.1.2/hi?x=1', headers: { host: '10.244.1.2' } },
          (res) => {
            let s = '';
            res.on('data', (d) => (s += d));
            res.on('end', () => resolve(s));
          },
        )
        .on('error', reject);
    });
    expect(body).toBe('hello from b: GET /hi?x=1');
  });

  it('speaks SOCKS5 CONNECT (RFC 1928)', async () => {
    const u = new URL(a.socksProxy);
    const socket = net.connect(Number(u.port), u.hostname);
    socket.write(Buffer.from([5, 1, 0]));
    const replies: Buffer[] = [];
    await new Promise<void>((resolve) => {
      socket.on('data', (d) => {
        replies.push(d);
        const all = Buffer.concat(replies);
        if (all.length === 2) socket.write(Buffer.from([5, 1, 0, 1, 10, 244, 1, 2, 0, 7]));
        if (all.length >= 12) resolve();
      });
    });
    expect(Array.from(Buffer.concat(replies).subarray(0, 4))).toEqual([5, 0, 5, 0]);
    const got = readAll(socket);
    socket.end('socks');
    expect((await got).endsWith('socks|bye')).toBe(true);
  });

  it('keeps same-node traffic off the tunnel', async () => {
    const r = await n1.connect('10.244.0.2', 1234, '10.244.0.3', 7);
    expect(r.ok && r.hops).toEqual(['bridge']);
    if (r.ok) r.stream.destroy();
  });

  it('resolves ClusterIPs through the service hook', async () => {
    const { status, socket } = await connectVia(a.httpProxy, '10.96.0.10:80');
    expect(status).toBe(200);
    socket.destroy();
  });

  it('refuses with 403 and the reason when egress policy denies, and counts the drop', async () => {
    setPolicies(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a-out, namespace: default}\nspec: {podSelector: {matchLabels: {app: a}}, policyTypes: [Egress]}',
    );
    const { status, head, socket } = await connectVia(a.httpProxy, '10.244.1.2:7');
    socket.destroy();
    expect(status).toBe(403);
    expect(decodeURIComponent(head)).toContain('isolated for Egress by default/a-out');
    expect(n1.counters.node.drops['policy-egress']).toBeGreaterThan(0);
  });

  it('refuses at the destination agent when ingress policy denies (applied to new connections at once)', async () => {
    setPolicies(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b-in, namespace: default}\nspec: {podSelector: {matchLabels: {app: b}}}',
    );
    const { status, socket } = await connectVia(a.httpProxy, '10.244.1.2:7');
    socket.destroy();
    expect(status).toBe(403);
    expect(n2.counters.node.drops['policy-ingress']).toBeGreaterThan(0);
    setPolicies('');
  });

  it('answers 502 for an address no pod has, never dialling it', async () => {
    const { status, socket } = await connectVia(a.httpProxy, '10.244.9.9:80');
    socket.destroy();
    expect(status).toBe(502);
  });
});

describe('UDP between pods as VXLAN', () => {
  it('delivers a datagram across nodes in a VXLAN frame', async () => {
    udpInbox = [];
    expect(n1.sendDatagram('10.244.0.2', 5000, '10.244.1.2', 53, Buffer.from('query'))).toEqual({ ok: true });
    await until(() => udpInbox.length > 0);
    expect(udpInbox.map((x) => x.msg)).toEqual(['query']);
  });

  it("relays a pod's datagrams sent through SOCKS5 UDP ASSOCIATE (RFC 1928 §7)", async () => {
    udpInbox = [];
    const u = new URL(a.socksProxy);
    const control = net.connect(Number(u.port), u.hostname);
    const replies: Buffer[] = [];
    const bound = await new Promise<number>((resolve) => {
      control.on('data', (d) => {
        replies.push(d);
        const all = Buffer.concat(replies);
        if (all.length === 2) control.write(Buffer.from([5, 3, 0, 1, 0, 0, 0, 0, 0, 0]));
        if (all.length >= 12) resolve(all.readUInt16BE(10));
      });
      control.write(Buffer.from([5, 1, 0]));
    });
    const s = dgram.createSocket('udp4');
    const header = Buffer.from([0, 0, 0, 1, 10, 244, 1, 2, 0, 53]);
    await new Promise<void>((r) => s.send(Buffer.concat([header, Buffer.from('via-socks')]), bound, u.hostname, () => r()));
    await until(() => udpInbox.length > 0);
    s.close();
    control.destroy();
    expect(udpInbox.map((x) => x.msg)).toEqual(['via-socks']);
  });

  it('drops and counts denied, oversize and garbage datagrams', async () => {
    setPolicies(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b-in, namespace: default}\nspec: {podSelector: {matchLabels: {app: b}}}',
    );
    const before = { ...n2.counters.node.drops };
    n1.sendDatagram('10.244.0.2', 5000, '10.244.1.2', 53, Buffer.from('denied'));
    expect(n1.sendDatagram('10.244.0.2', 5000, '10.244.1.2', 53, Buffer.alloc(2000))).toMatchObject({ ok: false });
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.send(Buffer.from('garbage!'), n2.endpoint.vxlanPort, '127.0.0.3', () => r()));
    const wrongVni = encodeVxlan(99, {
      srcMac: new Uint8Array(6),
      dstMac: new Uint8Array(6),
      src: Uint8Array.of(10, 244, 0, 2),
      dst: Uint8Array.of(10, 244, 1, 2),
      transport: { protocol: 'UDP', srcPort: 1, dstPort: 53 },
      payload: new Uint8Array(1),
    });
    if (wrongVni.ok) await new Promise<void>((r) => s.send(wrongVni.bytes, n2.endpoint.vxlanPort, '127.0.0.3', () => r()));
    s.close();
    const delta = (k: string) => (n2.counters.node.drops[k] ?? 0) - (before[k] ?? 0);
    await until(() => delta('policy-ingress') + delta('vxlan-truncated') + delta('unknown-vni') >= 3);
    expect([delta('policy-ingress'), delta('vxlan-truncated'), delta('unknown-vni')]).toEqual([1, 1, 1]);
    expect(n1.counters.node.drops.oversize).toBe(1);
    setPolicies('');
  });
});

describe('a peer agent that disappears', () => {
  it('resets the pod connection mid-stream', async () => {
    const directory2 = new MemoryDirectory();
    const x = await startNodeAgent({ node: 'x', address: '127.0.0.4', directory: directory2, policy: () => engine });
    const y = await startNodeAgent({ node: 'y', address: '127.0.0.5', directory: directory2, policy: () => engine });
    const sink = net.createServer((s) => s.on('error', () => {}));
    const port = await listen(sink);
    await y.addPod({ namespace: 'default', name: 'sink', ip: '10.244.5.2', tcp: { 9: { host: '127.0.0.1', port } } });
    const src = await x.addPod({ namespace: 'default', name: 'src', ip: '10.244.4.2' });
    const { status, socket } = await connectVia(src.httpProxy, '10.244.5.2:9');
    expect(status).toBe(200);
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => {});
    await y.close();
    await closed;
    expect(x.counters.node.drops['tunnel-reset']).toBe(1);
    await x.close();
  });
});
