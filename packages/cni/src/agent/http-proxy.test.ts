// The pod HTTP proxy across two agents: request bodies intact through the tunnel, and the
// `kemu-hops` header saying what the agents did (kube-proxy's DNAT, the bridge or the HTTP/2
// tunnel), on answers and on refusals. Real sockets on loopback.
import http from 'node:http';
import net from 'node:net';
import { type NetworkPolicy, parseManifestsOrThrow } from '@kemu/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getVia } from '../../test/proxy-get.js';
import { compileNetworkPolicies, type PolicyEngine } from '../policy/engine.js';
import { type NodeAgent, type PodAttachment, startNodeAgent } from './agent.js';
import { MemoryDirectory } from './directory.js';
import { formatHops, hopsHeader, parseHops, reasonHeader } from './hops-header.js';

let engine: PolicyEngine = compileNetworkPolicies({ policies: [] });
const directory = new MemoryDirectory();
let n1: NodeAgent;
let n2: NodeAgent;
let client: PodAttachment;
let web: http.Server;

beforeAll(async () => {
  // 10.96.0.10:80 is a Service whose endpoint is the web pod on the other node.
  const options = {
    directory,
    policy: () => engine,
    resolveService: (d: { ip: string; port: number }) =>
      d.ip === '10.96.0.10' && d.port === 80 ? { ip: '10.244.8.2', port: 8080 } : undefined,
  };
  n1 = await startNodeAgent({ node: 'h1', address: '127.0.0.7', ...options });
  n2 = await startNodeAgent({ node: 'h2', address: '127.0.0.8', ...options });
  web = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => res.end(`web: ${req.method} ${req.url}${body ? ` ${body}` : ''}`));
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  const port = (web.address() as net.AddressInfo).port;
  await n2.addPod({
    namespace: 'default',
    name: 'web',
    ip: '10.244.8.2',
    labels: { app: 'web' },
    tcp: { 8080: { host: '127.0.0.1', port } },
  });
  client = await n1.addPod({ namespace: 'default', name: 'client', ip: '10.244.7.2', labels: { app: 'client' } });
});
afterAll(async () => {
  await n1?.close();
  await n2?.close();
  await new Promise<void>((r) => web.close(() => r()));
});

describe('kemu-hops on the pod HTTP proxy', () => {
  it('reports the Service DNAT and the tunnel on a proxied answer', async () => {
    engine = compileNetworkPolicies({ policies: [] });
    const r = await getVia(client.httpProxy, 'http://10.96.0.10/x');
    expect(r.status).toBe(200);
    expect(r.body).toBe('web: GET /x');
    expect(parseHops(r.headers[hopsHeader] as string)).toEqual(['service 10.96.0.10:80 -> 10.244.8.2:8080', 'tunnel h1 -> h2']);
  });

  it('reports the hops taken before an ingress denial, with the reason', async () => {
    // A default-deny ingress policy on web: the destination agent refuses (NetworkPolicy spec).
    engine = compileNetworkPolicies({
      policies: parseManifestsOrThrow(
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web-in, namespace: default}\nspec: {podSelector: {matchLabels: {app: web}}}',
      ) as NetworkPolicy[],
    });
    const r = await getVia(client.httpProxy, 'http://10.96.0.10/x');
    engine = compileNetworkPolicies({ policies: [] });
    expect(r.status).toBe(403);
    expect(decodeURIComponent(r.headers[reasonHeader] as string)).toContain('default/web-in');
    expect(parseHops(r.headers[hopsHeader] as string)).toEqual(['service 10.96.0.10:80 -> 10.244.8.2:8080', 'tunnel h1 -> h2']);
  });

  it('reports the hops on a CONNECT tunnel (RFC 9110 §9.3.6)', async () => {
    const p = new URL(client.httpProxy);
    const head = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(p.port), p.hostname, () =>
        socket.write('CONNECT 10.244.8.2:8080 HTTP/1.1\r\nhost: x\r\n\r\n'),
      );
      let buf = '';
      socket.on('data', (d) => {
        buf += d.toString('latin1');
        if (buf.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(buf);
        }
      });
      socket.on('error', reject);
    });
    expect(head.startsWith('HTTP/1.1 200')).toBe(true);
    const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${hopsHeader}:`)) ?? '';
    expect(parseHops(line.slice(hopsHeader.length + 1))).toEqual(['tunnel h1 -> h2']);
  });
});

describe('request bodies through the tunnel', () => {
  it('delivers a POST whose body arrives with its headers unchanged (RFC 9112 §3.2.2 absolute-form)', async () => {
    // The body is in the same packet as the headers, so the proxy writes head and body at once.
    const p = new URL(client.httpProxy);
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          host: p.hostname,
          port: Number(p.port),
          method: 'POST',
          path: 'http://10.244.8.2:8080/form',
          headers: { host: 'web', 'content-length': '3' },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end('a=1');
    });
    expect(body).toBe('web: POST /form a=1');
  });
});

describe('formatHops/parseHops', () => {
  it('round-trips any hop text, commas included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }).filter((s) => s.trim() === s)), (hops) => {
        expect(parseHops(formatHops(hops))).toEqual(hops);
      }),
    );
  });
});

describe('connections through the proxy', () => {
  it('closes the pod-side connection after each answer, even when the client asks for keep-alive', async () => {
    // RFC 9110 §7.6.1: Connection and keep-alive are hop-by-hop; each proxied request has its own
    // tunnel stream and pod socket, so nothing may stay open once the answer is sent.
    const p = new URL(client.httpProxy);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve, reject) => {
        http
          .get(
            {
              host: p.hostname,
              port: Number(p.port),
              path: 'http://10.244.8.2:8080/k',
              agent,
              headers: { connection: 'keep-alive' },
            },
            (res) => {
              res.resume();
              res.on('end', resolve);
            },
          )
          .on('error', reject);
      });
    }
    agent.destroy();
    let open = -1;
    for (let i = 0; i < 50 && open !== 0; i++) {
      open = await new Promise<number>((resolve) => web.getConnections((_, count) => resolve(count)));
      if (open !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(open).toBe(0);
  });
});
