import http from 'node:http';
import { Readable } from 'node:stream';
import { createMemoryStore, MemoryBackend, type Store } from '@kemu/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Admission } from '../src/lab/admission.js';
import { LabApiServer } from '../src/lab/api/server.js';

// The lab API server: Kubernetes-shaped paths, Status errors, watch semantics, bearer token.

let store: Store;
let server: LabApiServer;
let url: string;

async function startServer(options: { token?: string; historyLimit?: number } = {}) {
  store = createMemoryStore({ backend: new MemoryBackend(options.historyLimit) });
  server = new LabApiServer({
    store,
    admission: new Admission(store),
    token: options.token,
    logs: ({ metadata: { namespace, name } }) => (name === 'web' ? Readable.from([`log of ${namespace}/${name}\n`]) : undefined),
  });
  url = await server.start();
}

beforeEach(async () => {
  await startServer();
});

afterEach(async () => {
  await server.close();
  await store.close();
});

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'echo', image: 'kemu/echo' }] },
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json: json as Record<string, unknown> & { metadata?: { resourceVersion?: string } }, text };
}

/** Reads newline-delimited watch events until `count` arrived. */
function readEvents(path: string, count: number): Promise<{ type: string; object: Record<string, unknown> }[]> {
  return new Promise((resolve, reject) => {
    const events: { type: string; object: Record<string, unknown> }[] = [];
    let buffer = '';
    const request = http.get(url + path, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          events.push(JSON.parse(buffer.slice(0, newline)));
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
        }
        if (events.length >= count) {
          request.destroy();
          resolve(events);
        }
      });
      response.on('end', () => resolve(events));
    });
    request.on('error', reject);
  });
}

describe('lab API server', () => {
  it('answers /healthz', async () => {
    expect((await call('GET', '/healthz')).text).toBe('ok');
  });

  it('creates, reads, lists and deletes objects on Kubernetes paths', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/pods', pod('a'));
    expect(created.status).toBe(201);
    expect(created.json.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect((await call('GET', '/api/v1/namespaces/default/pods/a')).json).toMatchObject({
      kind: 'Pod',
      metadata: { name: 'a', namespace: 'default' },
    });
    const list = await call('GET', '/api/v1/namespaces/default/pods');
    expect(list.json).toMatchObject({ kind: 'PodList', items: [{ metadata: { name: 'a' } }] });
    // An unscheduled pod is deleted at once (no kubelet to wait for).
    expect((await call('DELETE', '/api/v1/namespaces/default/pods/a')).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/pods/a')).status).toBe(404);
  });

  it('serves named groups under /apis/{group}/{version}', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'kemu/echo' }] } },
      },
    };
    expect((await call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment)).status).toBe(201);
    // Defaults are applied as the API server does (replicas 1, RollingUpdate 25%/25%).
    expect((await call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json).toMatchObject({
      spec: { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
    });
  });

  // apimachinery/pkg/api/errors: NotFound message form and Status shape.
  it('answers a missing object with a 404 NotFound Status', async () => {
    const response = await call('GET', '/api/v1/namespaces/default/pods/nope');
    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    });
  });

  it('answers a duplicate create with 409 AlreadyExists', async () => {
    await call('POST', '/api/v1/namespaces/default/pods', pod('a'));
    const again = await call('POST', '/api/v1/namespaces/default/pods', pod('a'));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ reason: 'AlreadyExists', message: 'pods "a" already exists' });
  });

  it('answers a stale update with 409 Conflict', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/pods', pod('a'));
    const stale = { ...(created.json as object), metadata: { ...created.json.metadata, labels: { x: '1' } } };
    expect((await call('PUT', '/api/v1/namespaces/default/pods/a', stale)).status).toBe(200);
    const conflict = await call('PUT', '/api/v1/namespaces/default/pods/a', stale);
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({ reason: 'Conflict' });
  });

  it('answers an invalid object with 422 Invalid', async () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { ports: [{ port: 70000 }] } };
    const response = await call('POST', '/api/v1/namespaces/default/services', service);
    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({ reason: 'Invalid' });
  });

  // registry/core/service/ipallocator: a ClusterIP Service gets an address from 10.96.0.0/12; NodePorts from 30000-32767.
  it('allocates cluster IPs and node ports for Services', async () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'np' },
      spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] },
    };
    const created = (await call('POST', '/api/v1/namespaces/default/services', service)).json as {
      spec: { clusterIP: string; ports: { nodePort: number }[] };
    };
    expect(created.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
    expect(created.spec.ports[0]!.nodePort).toBeGreaterThanOrEqual(30000);
    expect(created.spec.ports[0]!.nodePort).toBeLessThanOrEqual(32767);
  });

  it('streams watch events after a resourceVersion as newline-delimited JSON', async () => {
    const first = await call('POST', '/api/v1/namespaces/default/pods', pod('a'));
    const events = readEvents(
      `/api/v1/namespaces/default/pods?watch=1&resourceVersion=${first.json.metadata?.resourceVersion}`,
      2,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await call('POST', '/api/v1/namespaces/default/pods', pod('b'));
    await call('DELETE', '/api/v1/namespaces/default/pods/b');
    const got = await events;
    expect(got.map((e) => [e.type, (e.object.metadata as { name: string }).name])).toEqual([
      ['ADDED', 'b'],
      ['DELETED', 'b'],
    ]);
  });

  // A watch from a compacted resourceVersion gets an ERROR event with 410 Expired ("too old resource version").
  it('ends a watch from a compacted resourceVersion with a 410 Expired event', async () => {
    await server.close();
    await startServer({ historyLimit: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await call('POST', '/api/v1/namespaces/default/pods', pod(name));
    const [event] = await readEvents('/api/v1/namespaces/default/pods?watch=true&resourceVersion=1', 1);
    expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  // apimachinery fields: `spec.nodeName=x` filters lists; an unknown field label is refused.
  it('filters lists by field selector', async () => {
    await call('POST', '/api/v1/namespaces/default/pods', { ...pod('a'), spec: { ...pod('a').spec, nodeName: 'n1' } });
    await call('POST', '/api/v1/namespaces/default/pods', pod('b'));
    const onNode = await call('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1');
    expect((onNode.json.items as { metadata: { name: string } }[]).map((p) => p.metadata.name)).toEqual(['a']);
    const unbound = await call('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3D');
    expect((unbound.json.items as { metadata: { name: string } }[]).map((p) => p.metadata.name)).toEqual(['b']);
    expect((await call('GET', '/api/v1/pods?fieldSelector=spec.bogus%3D1')).json).toMatchObject({
      code: 400,
      reason: 'BadRequest',
    });
  });

  it('serves pod logs as text', async () => {
    await call('POST', '/api/v1/namespaces/default/pods', { ...pod('web'), spec: { ...pod('web').spec, nodeName: 'n1' } });
    expect((await call('GET', '/api/v1/namespaces/default/pods/web/log')).text).toBe('log of default/web\n');
  });

  it('answers unknown resources with 404', async () => {
    expect((await call('GET', '/api/v1/namespaces/default/widgets')).status).toBe(404);
  });

  it('requires the bearer token when it has one', async () => {
    await server.close();
    await startServer({ token: 's3cret' });
    expect((await call('GET', '/api/v1/pods')).status).toBe(401);
    expect((await call('GET', '/api/v1/pods', undefined, { authorization: 'Bearer s3cret' })).status).toBe(200);
    // Health checks stay anonymous, as the API server's /healthz.
    expect((await call('GET', '/healthz')).status).toBe(200);
  });

  it('makes up a token when bound beyond loopback', () => {
    const s = new LabApiServer({ store, admission: new Admission(store), host: '0.0.0.0' });
    expect(s.token).toMatch(/^[\w-]{20,}$/);
    expect(new LabApiServer({ store, admission: new Admission(store) }).token).toBeUndefined();
  });
});
