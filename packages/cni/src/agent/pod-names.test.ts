// Names given to a pod's proxies go through the name hook (the pod's resolver against cluster DNS)
// before the ClusterIP hook: HTTP absolute-URI and CONNECT hosts, SOCKS5 DOMAINNAME (ATYP 03,
// RFC 1928 §4/§5) in CONNECT and in UDP ASSOCIATE datagrams (§7). Real sockets on loopback.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getVia } from '../../test/proxy-get.js';
import { compileNetworkPolicies } from '../policy/engine.js';
import { type NodeAgent, type PodAttachment, startNodeAgent } from './agent.js';
import { MemoryDirectory } from './directory.js';
import { socksReply } from './socks.js';
import type { NameResolver } from './types.js';

const engine = compileNetworkPolicies({ policies: [] });
const clusterIP = '10.96.0.10';
const webIP = '10.244.61.3';
/** Names the hook was asked, with the asking pod's namespace. */
const asked: string[] = [];
// The cluster DNS as a pod in `default` sees it: Service shop/web on 10.96.0.10, its pod web-0
// under the headless name, an ExternalName Service shop/mail, nothing else.
const resolveName: NameResolver = (name, pod) => {
  asked.push(`${name} from ${pod.namespace}`);
  if (name === 'web.shop' || name === 'web.shop.svc.cluster.local') {
    return { kind: 'address', ip: clusterIP, name: 'web.shop.svc.cluster.local' };
  }
  if (name === 'web-0.web.shop') return { kind: 'address', ip: webIP, name: 'web-0.web.shop.svc.cluster.local' };
  if (name === 'mail.shop') return { kind: 'external', name: 'mail.shop.svc.cluster.local', externalName: 'smtp.example.com' };
  return { kind: 'nxdomain', tried: [`${name}.default.svc.cluster.local`, `${name}.svc.cluster.local`, name] };
};
let agent: NodeAgent;
let bare: NodeAgent;
let client: PodAttachment;
let bareClient: PodAttachment;
const closers: (() => void)[] = [];

beforeAll(async () => {
  const directory = new MemoryDirectory();
  const resolveService = (d: { ip: string; port: number; protocol: 'TCP' | 'UDP' }) => {
    if (d.ip !== clusterIP) return undefined;
    return d.protocol === 'TCP' ? { ip: webIP, port: 8080 } : { ip: webIP, port: 5353 };
  };
  agent = await startNodeAgent({
    node: 'dns-node',
    address: '127.0.0.61',
    directory,
    policy: () => engine,
    resolveService,
    resolveName,
  });
  bare = await startNodeAgent({ node: 'bare-node', address: '127.0.0.62', directory, policy: () => engine });
  const web = http.createServer((req, res) => res.end(`web: ${req.headers.host}${req.url}`));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  closers.push(() => web.close());
  const echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  closers.push(() => echo.close());
  await agent.addPod({
    namespace: 'shop',
    name: 'web-0',
    ip: webIP,
    tcp: { 8080: { host: '127.0.0.1', port: (web.address() as net.AddressInfo).port } },
    udp: { 5353: { host: '127.0.0.1', port: echo.address().port } },
  });
  client = await agent.addPod({ namespace: 'default', name: 'client', ip: '10.244.61.2' });
  bareClient = await bare.addPod({ namespace: 'default', name: 'client', ip: '10.244.62.2' });
});
afterAll(async () => {
  await agent?.close();
  await bare?.close();
  for (const close of closers) close();
});

/** RFC 1928 §4/§5: DST.ADDR as a DOMAINNAME (ATYP 03, one length octet) and DST.PORT. */
function domainAddress(name: string, port: number): Buffer {
  return Buffer.from([3, name.length, ...Buffer.from(name, 'latin1'), port >> 8, port & 0xff]);
}

/** A SOCKS5 CONNECT naming `name:port` (ATYP 03), as curl --socks5-hostname sends; resolves with the REP code and the socket. */
async function socksConnect(name: string, port: number): Promise<{ rep: number; socket: net.Socket }> {
  const u = new URL(client.socksProxy);
  const socket = net.connect(Number(u.port), u.hostname);
  closers.push(() => socket.destroy());
  let got = Buffer.alloc(0);
  const rep = await new Promise<number>((resolve) => {
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length === 2) socket.write(Buffer.concat([Buffer.from([5, 1, 0]), domainAddress(name, port)]));
      // Method choice (2), then VER REP RSV ATYP=1 BND.ADDR(4) BND.PORT(2).
      if (got.length >= 12) {
        socket.off('data', onData);
        resolve(got[3] as number);
      }
    };
    socket.on('data', onData);
    socket.write(Buffer.from([5, 1, 0]));
  });
  return { rep, socket };
}

/** A SOCKS5 UDP ASSOCIATE (RFC 1928 §7) of the client pod; `send` names the destination with ATYP 03. */
async function associate(): Promise<{ send(name: string, port: number, data: string): void; next(): Promise<string> }> {
  const u = new URL(client.socksProxy);
  const control = net.connect(Number(u.port), u.hostname);
  closers.push(() => control.destroy());
  const relayPort = await new Promise<number>((resolve) => {
    let got = Buffer.alloc(0);
    control.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length === 2) control.write(Buffer.from([5, 3, 0, 1, 0, 0, 0, 0, 0, 0]));
      if (got.length >= 12) resolve(got.readUInt16BE(10));
    });
    control.write(Buffer.from([5, 1, 0]));
  });
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  closers.push(() => socket.close());
  const waiting: ((text: string) => void)[] = [];
  // RSV(2) FRAG(1) ATYP=1 ADDR(4) PORT(2) DATA: the reply names its source by address.
  socket.on('message', (m) => waiting.shift()?.(`${[...m.subarray(4, 8)].join('.')}:${m.readUInt16BE(8)} ${m.subarray(10)}`));
  return {
    send: (name, port, data) =>
      socket.send(Buffer.concat([Buffer.from([0, 0, 0]), domainAddress(name, port), Buffer.from(data)]), relayPort, u.hostname),
    next: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

/** Waits until `check` holds (a datagram is handled asynchronously), up to 3 s. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe('HTTP proxy', () => {
  it('resolves an absolute-URI host in the pod’s namespace, then DNATs the ClusterIP to the Service’s pod', async () => {
    asked.length = 0;
    const r = await getVia(client.httpProxy, 'http://web.shop/items');
    expect(r).toMatchObject({ status: 200, body: 'web: web.shop/items' });
    expect(asked).toEqual(['web.shop from default']);
    expect(r.hops.slice(0, 2)).toEqual([
      `dns web.shop -> ${clusterIP} (web.shop.svc.cluster.local)`,
      `service ${clusterIP}:80 -> ${webIP}:8080`,
    ]);
  });

  it('resolves a fully qualified Service name', async () => {
    const r = await getVia(client.httpProxy, 'http://web.shop.svc.cluster.local/');
    expect(r).toMatchObject({ status: 200, body: 'web: web.shop.svc.cluster.local/' });
  });

  it('resolves the host of a CONNECT request (RFC 9110 §9.3.6)', async () => {
    const p = new URL(client.httpProxy);
    const socket = net.connect(Number(p.port), p.hostname);
    closers.push(() => socket.destroy());
    socket.write('CONNECT web.shop:80 HTTP/1.1\r\nhost: web.shop:80\r\n\r\n');
    const head = await new Promise<string>((resolve) => {
      let got = '';
      const onData = (d: Buffer) => {
        got += d;
        if (!got.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        resolve(got);
      };
      socket.on('data', onData);
    });
    expect(head).toMatch(/^HTTP\/1\.1 200 Connection Established/);
    let body = '';
    socket.on('data', (d) => (body += d));
    socket.write('GET /tunnelled HTTP/1.1\r\nhost: web.shop\r\nconnection: close\r\n\r\n');
    await new Promise((r) => socket.once('close', r));
    expect(body).toContain('web: web.shop/tunnelled');
  });

  it('answers 502 with the names tried when nothing answers (NXDOMAIN), counted as dns-nxdomain', async () => {
    const before = agent.counters.node.drops['dns-nxdomain'] ?? 0;
    const r = await getVia(client.httpProxy, 'http://nope/');
    expect(r.status).toBe(502);
    expect(r.reason).toBe(
      'could not resolve host nope from pod default/client (NXDOMAIN; tried nope.default.svc.cluster.local, nope.svc.cluster.local, nope)',
    );
    expect(r.body).toBe(`${r.reason}\n`);
    expect(agent.counters.node.drops['dns-nxdomain']).toBe(before + 1);
  });

  it('answers 502 naming the external host for an ExternalName Service, counted as dns-external', async () => {
    const before = agent.counters.node.drops['dns-external'] ?? 0;
    const r = await getVia(client.httpProxy, 'http://mail.shop/');
    expect(r.status).toBe(502);
    expect(r.reason).toContain('an ExternalName Service for smtp.example.com outside the lab');
    expect(agent.counters.node.drops['dns-external']).toBe(before + 1);
  });

  it('never asks the name hook about an address', async () => {
    asked.length = 0;
    const r = await getVia(client.httpProxy, `http://${clusterIP}/`);
    expect(r.status).toBe(200);
    expect(asked).toEqual([]);
    expect(r.hops[0]).toBe(`service ${clusterIP}:80 -> ${webIP}:8080`);
  });

  it('resolves nothing on an agent without cluster DNS', async () => {
    const r = await getVia(bareClient.httpProxy, 'http://web.shop/');
    expect(r.status).toBe(502);
    expect(r.reason).toBe('could not resolve host web.shop (no cluster DNS serves node bare-node)');
  });
});

describe('SOCKS5 with a DOMAINNAME (ATYP 03)', () => {
  it('connects to the Service’s pod for a CONNECT naming the Service', async () => {
    const { rep, socket } = await socksConnect('web.shop', 80);
    expect(rep).toBe(socksReply.succeeded);
    let body = '';
    socket.on('data', (d) => (body += d));
    socket.write('GET /socks HTTP/1.1\r\nhost: web.shop\r\nconnection: close\r\n\r\n');
    await new Promise((r) => socket.once('close', r));
    expect(body).toContain('web: web.shop/socks');
  });

  it('connects straight to a pod named by its headless hostname', async () => {
    asked.length = 0;
    const { rep } = await socksConnect('web-0.web.shop', 8080);
    expect(rep).toBe(socksReply.succeeded);
    expect(asked).toEqual(['web-0.web.shop from default']);
  });

  it('answers REP 04 host unreachable for a name that resolves to nothing (RFC 1928 §6)', async () => {
    const { rep } = await socksConnect('nope', 80);
    expect(rep).toBe(socksReply.hostUnreachable);
  });

  it('relays a UDP datagram to the Service named in its header, and the answer back', async () => {
    const udp = await associate();
    const answer = udp.next();
    udp.send('web.shop', 53, 'ping');
    // The reply names the address the datagram went to (the ClusterIP, reverse-NATed).
    expect(await answer).toBe(`${clusterIP}:53 echo:ping`);
  });

  it('drops a UDP datagram to a name that resolves to nothing, counted as dns-nxdomain', async () => {
    const udp = await associate();
    const before = agent.counters.node.drops['dns-nxdomain'] ?? 0;
    udp.send('nope', 53, 'lost');
    await until(() => (agent.counters.node.drops['dns-nxdomain'] ?? 0) > before);
    expect(agent.counters.node.drops['dns-nxdomain']).toBe(before + 1);
  });
});
