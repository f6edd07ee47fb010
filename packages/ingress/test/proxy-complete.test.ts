// The `complete` event: one per routed request once its response has ended, with the status sent,
// the time taken and the bytes sent downstream — what nginx's access log records as $status,
// $request_time and $bytes_sent, and ingress-nginx's request_duration_seconds / response_size observe.
import { connect as http2Connect } from 'node:http2';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IngressProxy, type ResponseCompletion, tableResolver } from '../src/proxy/index.js';
import { ingressYaml, nginxClass, objects, serviceYaml } from './fixtures.js';
import { type Backend, closeAll, startBackend } from './proxy-helpers.js';

let backend: Backend;
let proxy: IngressProxy | undefined;

beforeAll(async () => {
  backend = await startBackend('pod-a');
});
afterAll(async () => {
  await closeAll([backend]);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function start(options: { h2c?: boolean } = {}): Promise<IngressProxy> {
  proxy = await IngressProxy.start({
    objects: objects(
      nginxClass,
      serviceYaml('web', ['10.244.1.10']),
      ingressYaml('web', [{ path: '/', type: 'Prefix', service: 'web' }], { host: 'foo.com' }),
    ),
    resolver: tableResolver({ '10.244.1.10:8080': { host: '127.0.0.1', port: backend.port } }),
    h2c: options.h2c ? {} : false,
  });
  return proxy;
}

function nextCompletion(p: IngressProxy): Promise<ResponseCompletion> {
  return new Promise((resolve) => p.once('complete', resolve));
}

/** Sends one raw HTTP/1.1 request with Connection: close and counts every byte that comes back. */
function rawRequest(port: number, host: string, path: string): Promise<{ head: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      resolve({ head: all.toString('latin1').split('\r\n')[0] ?? '', bytes: all.length });
    });
    socket.on('error', reject);
  });
}

describe('complete event', () => {
  it('reports a proxied response with its status and the bytes on the wire (nginx $bytes_sent)', async () => {
    const p = await start();
    const completed = nextCompletion(p);
    const received = await rawRequest(p.address('http').port, 'foo.com', '/items?x=1');
    const c = await completed;
    expect(received.head).toBe('HTTP/1.1 200 OK');
    expect(c.status).toBe(200);
    expect(c.aborted).toBe(false);
    // $bytes_sent counts the status line and headers as well as the body.
    expect(c.bytes).toBe(received.bytes);
    expect(c.request).toMatchObject({ host: 'foo.com', path: '/items?x=1', method: 'GET' });
    expect(c.answer.outcome.type).toBe('backend');
    expect(c.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('names the endpoint that answered (nginx $upstream_addr)', async () => {
    const p = await start();
    const completed = nextCompletion(p);
    await rawRequest(p.address('http').port, 'foo.com', '/');
    expect((await completed).upstream).toMatchObject({ address: '10.244.1.10', port: 8080 });
  });

  it("reports the proxy's own answer (404 for an unknown host) with its page size", async () => {
    const p = await start();
    const completed = nextCompletion(p);
    const received = await rawRequest(p.address('http').port, 'nobody.example', '/');
    const c = await completed;
    expect(received.head).toBe('HTTP/1.1 404 Not Found');
    expect(c).toMatchObject({ status: 404, aborted: false, bytes: received.bytes });
    expect(c.answer.outcome.type).toBe('status');
    expect(c.upstream).toBeUndefined();
  });

  it('measures the time until the last byte, including a slow backend', async () => {
    const p = await start();
    let release: () => void = () => undefined;
    backend.hold = new Promise((resolve) => {
      release = resolve;
    });
    const completed = nextCompletion(p);
    const request = rawRequest(p.address('http').port, 'foo.com', '/slow');
    setTimeout(() => release(), 50);
    await request;
    backend.hold = undefined;
    // nginx $request_time runs from the request's first byte to the response's last.
    expect((await completed).durationMs).toBeGreaterThanOrEqual(45);
  });

  it('marks a response the client walked away from as aborted', async () => {
    const p = await start();
    let release: () => void = () => undefined;
    backend.hold = new Promise((resolve) => {
      release = resolve;
    });
    const arrived = new Promise<void>((resolve) => {
      backend.onArrive = resolve;
    });
    const completed = nextCompletion(p);
    const socket = connect(p.address('http').port, '127.0.0.1', () => {
      socket.write('GET /gone HTTP/1.1\r\nHost: foo.com\r\n\r\n');
    });
    socket.on('error', () => undefined);
    await arrived;
    socket.destroy();
    const c = await completed;
    release();
    backend.hold = undefined;
    backend.onArrive = undefined;
    // nginx logs 499 (client closed request) when the client leaves before the answer.
    expect(c).toMatchObject({ aborted: true, status: 499 });
  });

  it('counts body bytes on an HTTP/2 stream (streams share one socket)', async () => {
    const p = await start({ h2c: true });
    const completed = nextCompletion(p);
    const session = http2Connect(`http://127.0.0.1:${p.address('h2c').port}`);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const stream = session.request({ ':path': '/h2', ':authority': 'foo.com' });
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', reject);
    });
    session.close();
    expect(await completed).toMatchObject({ status: 200, bytes: body.length, aborted: false });
  });
});
