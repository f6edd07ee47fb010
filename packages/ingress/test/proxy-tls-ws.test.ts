// TLS termination with SNI from kubernetes.io/tls Secrets (default self-signed certificate
// otherwise), the ssl redirect, WebSocket upgrades and cleartext HTTP/2, over real loopback sockets.
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { IngressProxy, type PEMPair, selfSignedPair, tableResolver } from '../src/proxy/index.js';
import { ingressYaml, nginxClass, objects, serviceYaml } from './fixtures.js';
import { type Backend, closeAll, startBackend } from './proxy-helpers.js';

let backend: Backend;
let wss: WebSocketServer;
let wsPort = 0;
let proxy: IngressProxy | undefined;
let fooPair: PEMPair;

beforeAll(async () => {
  backend = await startBackend('pod-a');
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wsPort = (wss.address() as { port: number }).port;
  wss.on('connection', (socket, req) => {
    socket.on('message', (data) => socket.send(`echo:${data.toString()} via ${req.headers['x-forwarded-for']}`));
  });
  fooPair = await selfSignedPair(['foo.com']);
});
afterAll(async () => {
  await closeAll([backend]);
  await new Promise((resolve) => wss.close(resolve));
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

function tlsSecret(pair: PEMPair): string {
  return `apiVersion: v1
kind: Secret
metadata: { name: foo-tls, namespace: default }
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(pair.cert).toString('base64')}
  tls.key: ${Buffer.from(pair.key).toString('base64')}`;
}

async function start(extra: string[] = [], options: { http2?: boolean; h2c?: boolean } = {}): Promise<IngressProxy> {
  proxy = await IngressProxy.start({
    objects: objects(
      nginxClass,
      serviceYaml('web', ['10.244.1.10']),
      serviceYaml('ws', ['10.244.1.20']),
      ingressYaml(
        'web',
        [
          { path: '/', type: 'Prefix', service: 'web' },
          { path: '/ws', type: 'Prefix', service: 'ws' },
        ],
        {
          host: 'foo.com',
          extraSpec: '  tls: [{ hosts: [foo.com], secretName: foo-tls }]\n',
        },
      ),
      ...extra,
    ),
    resolver: tableResolver({
      '10.244.1.10:8080': { host: '127.0.0.1', port: backend.port },
      '10.244.1.20:8080': { host: '127.0.0.1', port: wsPort },
    }),
    https: { http2: options.http2 ?? false },
    h2c: options.h2c ? {} : false,
  });
  return proxy;
}

function tlsGet(port: number, servername: string, host = servername): Promise<{ status: number; san: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: '/hello', servername, headers: { host }, rejectUnauthorized: false },
      (res) => {
        const san = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subjectaltname ?? '';
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, san, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS', () => {
  it('signs the generated default certificate with SHA-256, never SHA-1', async () => {
    // ingress-nginx's fake certificate is signed sha256WithRSAEncryption (internal/net/ssl: x509
    // defaults); browsers and Go's TLS reject SHA-1 signatures (CA/B Forum BR 7.1.3).
    const { X509Certificate } = await import('node:crypto');
    const der = new X509Certificate(fooPair.cert).raw;
    // ecdsa-with-SHA256 is OID 1.2.840.10045.4.3.2: 06 08 2a 86 48 ce 3d 04 03 02
    expect(der.includes(Buffer.from('06082a8648ce3d040302', 'hex'))).toBe(true);
  });

  it('serves the Secret of the host chosen by SNI and routes by Host, with X-Forwarded-Proto https', async () => {
    const p = await start([tlsSecret(fooPair)]);
    const res = await tlsGet(p.address('https').port, 'foo.com');
    expect(res.san).toBe('DNS:foo.com');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).headers['x-forwarded-proto']).toBe('https');
  });

  it('serves the generated default certificate for an unknown SNI name, or when the Secret is missing', async () => {
    const p = await start();
    expect((await tlsGet(p.address('https').port, 'foo.com')).san).toBe('DNS:localhost');
    expect(p.issues.some((i) => i.message.includes('foo-tls not found'))).toBe(true);
  });

  it('picks up a Secret applied later without restarting the listener', async () => {
    const p = await start();
    const port = p.address('https').port;
    await p.apply(objects(tlsSecret(fooPair)));
    expect((await tlsGet(port, 'foo.com')).san).toBe('DNS:foo.com');
  });

  it('reports bad TLS material and keeps serving with the default certificate', async () => {
    const bad = tlsSecret({ cert: 'not a cert', key: 'not a key' });
    const p = await start([bad]);
    expect((await tlsGet(p.address('https').port, 'foo.com')).san).toBe('DNS:localhost');
    expect(p.issues.some((i) => i.object === 'Ingress/default/web' && i.field === 'tls')).toBe(true);
  });

  it('terminates TLS for a Gateway HTTPS listener with its certificateRefs Secret and routes its HTTPRoute', async () => {
    const gwPair = await selfSignedPair(['gw.com']);
    const p = await start([
      tlsSecret(gwPair).replace('name: foo-tls', 'name: gw-tls'),
      `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: kemu
  listeners: [{ name: https, port: 443, protocol: HTTPS, hostname: gw.com, tls: { mode: Terminate, certificateRefs: [{ name: gw-tls }] } }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: web, port: 80 }] }]`,
    ]);
    const res = await tlsGet(p.address('https').port, 'gw.com');
    expect([res.san, res.status, JSON.parse(res.body).backend]).toEqual(['DNS:gw.com', 200, 'pod-a']);
  });

  it('redirects plain HTTP to https with 308 for a TLS host', async () => {
    const p = await start([tlsSecret(fooPair)]);
    const res = await request(`http://127.0.0.1:${p.address('http').port}/a?b=1`, { headers: { host: 'foo.com' } });
    await res.body.dump();
    expect([res.statusCode, res.headers.location]).toEqual([308, 'https://foo.com/a?b=1']);
  });

  it('negotiates HTTP/2 by ALPN when https.http2 is on', async () => {
    const p = await start([tlsSecret(fooPair)], { http2: true });
    const session = http2Connect(`https://127.0.0.1:${p.address('https').port}`, {
      servername: 'foo.com',
      rejectUnauthorized: false,
    });
    const body = await new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':path': '/h2', ':authority': 'foo.com' });
      let data = '';
      stream.on('data', (d) => (data += d));
      stream.on('end', () => resolve(data));
      stream.on('error', reject);
    });
    session.close();
    expect(JSON.parse(body)).toMatchObject({ backend: 'pod-a', url: '/h2' });
  });
});

describe('WebSocket and h2c', () => {
  it('upgrades a WebSocket through the proxy and relays messages both ways', async () => {
    const p = await start();
    await p.apply(
      objects(
        ingressYaml(
          'web',
          [
            { path: '/', type: 'Prefix', service: 'web' },
            { path: '/ws', type: 'Prefix', service: 'ws' },
          ],
          { host: 'foo.com' },
        ),
      ),
    );
    const ws = new WebSocket(`ws://127.0.0.1:${p.address('http').port}/ws`, { headers: { host: 'foo.com' } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('ping'));
      ws.on('message', (d) => resolve(d.toString()));
      ws.on('error', reject);
    });
    ws.close();
    expect(reply).toBe('echo:ping via 127.0.0.1');
  });

  it('serves cleartext HTTP/2 (prior knowledge) on the h2c listener', async () => {
    const p = await start([], { h2c: true });
    await p.apply(objects(ingressYaml('web', [{ path: '/', type: 'Prefix', service: 'web' }], { host: 'foo.com' })));
    const session = http2Connect(`http://127.0.0.1:${p.address('h2c').port}`);
    const body = await new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':path': '/c', ':authority': 'foo.com' });
      let data = '';
      stream.on('data', (d) => (data += d));
      stream.on('end', () => resolve(data));
      stream.on('error', reject);
    });
    session.close();
    expect(JSON.parse(body)).toMatchObject({ backend: 'pod-a', url: '/c' });
  });
});
