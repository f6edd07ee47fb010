// The data plane over real loopback sockets: forwarding headers (nginx.tmpl proxy_set_header),
// keep-alive, streaming, balancing, failures (404/502/503/504), malformed requests (400/431),
// live reconfiguration and the generation signal.
import { connect } from 'node:net';
import type { KubernetesObject } from '@kemu/core';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IngressProxy, tableResolver } from '../src/proxy/index.js';
import { ingressYaml, nginxClass, objects, serviceYaml } from './fixtures.js';
import { type Backend, closeAll, deadPort, startBackend } from './proxy-helpers.js';

const N = 'nginx.ingress.kubernetes.io';
let backends: Backend[] = [];
let proxy: IngressProxy | undefined;
const client = new Agent({ keepAliveTimeout: 10_000 });

beforeAll(async () => {
  backends = await Promise.all(['pod-a', 'pod-b', 'pod-c'].map((n) => startBackend(n)));
});
afterAll(async () => {
  await client.close();
  await closeAll(backends);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** web → pod-a, pod-b (10.244.1.10/11:8080); other → pod-c (10.244.2.10:8080). */
async function start(
  extra: KubernetesObject[] = [],
  table: Record<string, { host: string; port: number }> = {},
): Promise<IngressProxy> {
  const base = objects(
    nginxClass,
    serviceYaml('web', ['10.244.1.10', '10.244.1.11']),
    serviceYaml('other', ['10.244.2.10']),
    ingressYaml('web', [{ path: '/', type: 'Prefix', service: 'web' }], { host: 'foo.com' }),
  );
  const resolver = tableResolver({
    '10.244.1.10:8080': { host: '127.0.0.1', port: backends[0]!.port },
    '10.244.1.11:8080': { host: '127.0.0.1', port: backends[1]!.port },
    '10.244.2.10:8080': { host: '127.0.0.1', port: backends[2]!.port },
    ...table,
  });
  proxy = await IngressProxy.start({ objects: [...base, ...extra], resolver });
  return proxy;
}

async function get(p: IngressProxy, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
  const { port } = p.address('http');
  const res = await request(`http://127.0.0.1:${port}${path}`, {
    method: method as 'GET',
    headers: { host: 'foo.com', ...headers },
    dispatcher: client,
    ...(body ? { body } : {}),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as { backend: string; url: string; headers: Record<string, string>; size: number },
  };
}

describe('forwarding', () => {
  it('sends ingress-nginx forwarding headers and keeps Host', async () => {
    const p = await start();
    const res = await get(p, '/x?y=1', { 'x-forwarded-for': '1.2.3.4', proxy: 'evil' });
    const seen = res.json();
    expect(res.status).toBe(200);
    expect(seen.url).toBe('/x?y=1');
    expect(seen.headers).toMatchObject({
      host: 'foo.com',
      'x-real-ip': '127.0.0.1',
      'x-forwarded-for': '127.0.0.1',
      'x-original-forwarded-for': '1.2.3.4',
      'x-forwarded-host': 'foo.com',
      'x-forwarded-port': String(p.address('http').port),
      'x-forwarded-proto': 'http',
      'x-forwarded-scheme': 'http',
    });
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.headers.proxy).toBeUndefined();
  });

  it('balances round-robin over the ready endpoints', async () => {
    const p = await start();
    const names = [];
    for (let i = 0; i < 4; i++) names.push((await get(p, '/')).json().backend);
    expect(names).toEqual(['pod-a', 'pod-b', 'pod-a', 'pod-b']);
  });

  it('keeps upstream connections alive across requests', async () => {
    const p = await start();
    const before = backends[0]!.connections + backends[1]!.connections;
    for (let i = 0; i < 6; i++) await get(p, '/');
    expect(backends[0]!.connections + backends[1]!.connections - before).toBeLessThanOrEqual(2);
  });

  it('streams a 2 MiB request body to the backend and back', async () => {
    const p = await start([], {});
    await p.apply(
      objects(
        ingressYaml('web', [{ path: '/', type: 'Prefix', service: 'web' }], {
          host: 'foo.com',
          annotations: { [`${N}/proxy-body-size`]: '0' },
        }),
      ),
    );
    const body = 'x'.repeat(2 * 1024 * 1024);
    const res = await get(p, '/echo-body', { 'content-type': 'text/plain' }, 'POST', body);
    expect([res.status, res.text.length]).toEqual([200, body.length]);
  });

  it('applies rewrite-target upstream with X-Original-URI', async () => {
    const p = await start(
      objects(
        ingressYaml('rw', [{ path: '/app(/|$)(.*)', type: 'ImplementationSpecific', service: 'other' }], {
          host: 'rw.com',
          annotations: { [`${N}/rewrite-target`]: '/$2' },
        }),
      ),
    );
    const res = await get(p, '/app/deep/x?q=1', { host: 'rw.com' });
    expect(res.json()).toMatchObject({ backend: 'pod-c', url: '/deep/x?q=1', headers: { 'x-original-uri': '/app/deep/x?q=1' } });
  });
});

describe('failures', () => {
  it('answers 404 when no rule matches', async () => {
    const p = await start();
    expect((await get(p, '/', { host: 'nobody.com' })).status).toBe(404);
  });

  it('answers 503 when the Service has no ready endpoints', async () => {
    const p = await start(objects(serviceYaml('web', [])));
    expect((await get(p, '/')).status).toBe(503);
  });

  it('tries the next endpoint for an idempotent request when one refuses, then 502 when all do', async () => {
    const dead = await deadPort();
    const p = await start([], { '10.244.1.10:8080': { host: '127.0.0.1', port: dead } });
    const ok = await Promise.all([get(p, '/'), get(p, '/')]);
    expect(ok.map((r) => r.json().backend)).toEqual(['pod-b', 'pod-b']);
    const p2 = proxy as IngressProxy;
    await p2.apply(objects(serviceYaml('web', ['10.244.1.10'])));
    expect((await get(p2, '/')).status).toBe(502);
  });

  it('does not retry a POST: 502 when its endpoint refuses', async () => {
    const dead = await deadPort();
    const p = await start([], { '10.244.1.10:8080': { host: '127.0.0.1', port: dead } });
    expect((await get(p, '/', { 'content-type': 'text/plain' }, 'POST', 'data')).status).toBe(502);
  });

  it('answers 504 when the backend does not answer within proxy-read-timeout', async () => {
    const silent = await startBackend('silent', () => true);
    try {
      const p = await start(
        objects(
          serviceYaml('slow', ['10.244.3.3']),
          ingressYaml('slow', [{ path: '/', type: 'Prefix', service: 'slow' }], {
            host: 'slow.com',
            annotations: { [`${N}/proxy-read-timeout`]: '1' },
          }),
        ),
        { '10.244.3.3:8080': { host: '127.0.0.1', port: silent.port } },
      );
      expect((await get(p, '/', { host: 'slow.com' })).status).toBe(504);
    } finally {
      await closeAll([silent]);
    }
  });

  async function raw(port: number, text: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(text));
      let out = '';
      socket.on('data', (d) => (out += d.toString()));
      socket.on('close', () => resolve(out));
      socket.on('error', () => resolve(out));
    });
  }

  it('rejects conflicting Content-Length and Transfer-Encoding with 400 and never forwards it', async () => {
    const p = await start();
    const before = backends[0]!.requests + backends[1]!.requests;
    const out = await raw(
      p.address('http').port,
      'POST / HTTP/1.1\r\nHost: foo.com\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(out).toMatch(/^HTTP\/1.1 400/);
    expect(backends[0]!.requests + backends[1]!.requests).toBe(before);
  });

  it('rejects a request head over 16 KiB with 431', async () => {
    const p = await start();
    const out = await raw(p.address('http').port, `GET / HTTP/1.1\r\nHost: foo.com\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1.1 431/);
  });
});

describe('live reconfiguration', () => {
  it('applies a change for the next request without dropping the in-flight one or rebinding', async () => {
    const p = await start();
    const port = p.address('http').port;
    let release: () => void = () => undefined;
    backends[0]!.hold = new Promise<void>((resolve) => (release = resolve));
    backends[1]!.hold = backends[0]!.hold;
    const arrived = new Promise<void>((resolve) => {
      backends[0]!.onArrive = resolve;
      backends[1]!.onArrive = resolve;
    });
    const inFlight = get(p, '/');
    await arrived;
    const generations: number[] = [];
    p.on('generation', (g: number) => generations.push(g));
    const generation = await p.apply(
      objects(ingressYaml('web', [{ path: '/', type: 'Prefix', service: 'other' }], { host: 'foo.com' })),
    );
    expect(generations).toEqual([generation]);
    const after = await get(p, '/');
    expect(after.json().backend).toBe('pod-c');
    release();
    for (const b of backends) {
      delete b.hold;
      delete b.onArrive;
    }
    expect((await inFlight).json().backend).toMatch(/pod-[ab]/);
    expect(p.address('http').port).toBe(port);
  });

  it('keeps serving the last good configuration when applying an object throws', async () => {
    const p = await start();
    const before = p.generation;
    const broken = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'broken', namespace: 'default' },
      spec: null,
    } as unknown as KubernetesObject;
    await expect(p.apply([broken])).rejects.toThrow();
    expect(p.generation).toBe(before);
    expect((await get(p, '/')).json().backend).toMatch(/pod-[ab]/);
  });

  it('deleting the Ingress makes the host answer 404', async () => {
    const p = await start();
    await p.delete(objects(ingressYaml('web', [{ path: '/', type: 'Prefix', service: 'web' }], { host: 'foo.com' })));
    expect((await get(p, '/')).status).toBe(404);
  });
});

describe('affinity and Gateway API through the proxy', () => {
  it('cookie affinity sets INGRESSCOOKIE and keeps a client on the same endpoint', async () => {
    const p = await start(
      objects(
        ingressYaml('web', [{ path: '/', type: 'Prefix', service: 'web' }], {
          host: 'foo.com',
          annotations: { [`${N}/affinity`]: 'cookie' },
        }),
      ),
    );
    const first = await get(p, '/');
    const cookie = String(first.headers['set-cookie']).split(';')[0] as string;
    expect(cookie).toMatch(/^INGRESSCOOKIE=[0-9a-f]{32}$/);
    const again = await Promise.all([get(p, '/', { cookie }), get(p, '/', { cookie }), get(p, '/', { cookie })]);
    expect(new Set(again.map((r) => r.json().backend))).toEqual(new Set([first.json().backend]));
  });

  it('serves an HTTPRoute on a kemu Gateway: response header edits and a mirrored copy', async () => {
    const gatewayDocs = objects(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: kemu
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [gw.com]
  rules:
  - filters:
    - { type: ResponseHeaderModifier, responseHeaderModifier: { set: [{ name: X-Route, value: r }] } }
    - { type: RequestMirror, requestMirror: { backendRef: { name: other, port: 80 } } }
    backendRefs: [{ name: web, port: 80 }]`);
    const p = await start(gatewayDocs);
    const mirrored = new Promise<void>((resolve) => {
      backends[2]!.onArrive = resolve;
    });
    const res = await get(p, '/g', { host: 'gw.com' });
    await mirrored;
    delete backends[2]!.onArrive;
    expect([res.status, res.headers['x-route'], res.json().backend]).toEqual([200, 'r', expect.stringMatching(/pod-[ab]/)]);
  });
});
