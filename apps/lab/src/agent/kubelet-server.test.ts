import { createMemoryStore, MemoryBackend, type Node } from '@kemu/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerLogsURL, kubeletEndpointOf, publicIPAnnotation } from '../lab/remote-logs.js';
import { ContainerLog } from '../lab/runtime/logs.js';
import { KubeletServer, publishKubeletPort } from './kubelet-server.js';

// The kubelet's read-only log endpoint (kubernetes pkg/kubelet/server/server.go getContainerLogs):
// GET /containerLogs/{podNamespace}/{podID}/{containerName}?tailLines=N, plain text.
describe('KubeletServer', () => {
  const token = 'lab-kubelet-token';
  let server: KubeletServer;
  const pods = new Map<string, Map<string, ContainerLog>>();
  let web: ContainerLog;

  beforeEach(async () => {
    web = new ContainerLog('web');
    web.started();
    for (const line of ['one', 'two', 'three']) web.write(line);
    const sidecar = new ContainerLog('sidecar');
    sidecar.started();
    sidecar.write('sidecar up', 'stderr');
    pods.set(
      'default/web-0',
      new Map([
        ['web', web],
        ['sidecar', sidecar],
      ]),
    );
    server = new KubeletServer({ source: { logs: (ns, pod) => pods.get(`${ns}/${pod}`) }, host: '127.0.0.1', token });
    await server.start();
  });

  afterEach(async () => {
    await server.close();
    pods.clear();
  });

  async function get(path: string, bearer = token): Promise<{ status: number; body: string; type: string | null }> {
    const response = await fetch(`${server.url}${path}`, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
    return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
  }

  it('answers /healthz with ok, without credentials', async () => {
    expect(await get('/healthz', '')).toMatchObject({ status: 200, body: 'ok' });
  });

  it('answers 401 to a log request without the lab’s kubelet token, or with another one', async () => {
    // The kubelet refuses unauthenticated requests (pkg/kubelet/server/auth.go: 401 Unauthorized).
    expect(await get('/containerLogs/default/web-0/web', '')).toMatchObject({ status: 401, body: 'Unauthorized' });
    expect(await get('/containerLogs/default/web-0/web', 'guess')).toMatchObject({ status: 401 });
  });

  it("serves one container's log lines as plain text", async () => {
    const answer = await get('/containerLogs/default/web-0/web');
    expect(answer).toMatchObject({ status: 200, body: 'one\ntwo\nthree\n' });
    expect(answer.type).toMatch(/^text\/plain/);
    expect((await get('/containerLogs/default/web-0/sidecar')).body).toBe('sidecar up\n');
  });

  it('keeps only the last tailLines lines, and reads the legacy tail parameter', async () => {
    // server.go: "backwards compatibility for the "tail" query parameter".
    expect((await get('/containerLogs/default/web-0/web?tailLines=2')).body).toBe('two\nthree\n');
    expect((await get('/containerLogs/default/web-0/web?tail=1')).body).toBe('three\n');
    expect((await get('/containerLogs/default/web-0/web?tailLines=0')).body).toBe('');
    // "all" is the same as omitting tail.
    expect((await get('/containerLogs/default/web-0/web?tailLines=1&tail=all')).body).toBe('one\ntwo\nthree\n');
  });

  it('prefixes each line with its time when timestamps=true', async () => {
    // kuberuntime/logs timeFormatOut: RFC3339NanoFixed, nine fraction digits.
    const { body } = await get('/containerLogs/default/web-0/web?tailLines=1&timestamps=true');
    expect(body).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three\n$/);
  });

  it('streams lines written after the request when follow=true, until the container ends', async () => {
    // server.go getContainerLogs writes through a flushwriter; ReadLogs follows until the container stops.
    const response = await fetch(`${server.url}/containerLogs/default/web-0/web?tailLines=1&follow=true`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe('three\n');
    web.write('four');
    expect((await reader.read()).value).toBe('four\n');
    web.exited(false);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(web.followerCount).toBe(0);
  });

  it("answers 400 with the kubelet's words when there is no previous instance", async () => {
    // kubelet_pods.go validateContainerLogStatus; server.go answers its error with 400.
    expect(await get('/containerLogs/default/web-0/web?previous=true')).toMatchObject({
      status: 400,
      body: 'previous terminated container "web" in pod "web-0" not found',
    });
  });

  it('answers 404 naming the pod when it does not run on this node', async () => {
    const answer = await get('/containerLogs/default/nope/web');
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('pod "default/nope" does not exist');
  });

  it('answers 404 naming the containers when the container is unknown', async () => {
    const answer = await get('/containerLogs/default/web-0/db');
    expect(answer.status).toBe(404);
    expect(answer.body).toBe('container "db" not found in pod "default/web-0" (containers: web, sidecar)');
  });

  it('answers 400 without a container name or with a negative tailLines', async () => {
    // ValidatePodLogOptions: tailLines must be greater than or equal to 0.
    expect(await get('/containerLogs/default/web-0/')).toMatchObject({ status: 400, body: 'missing container name' });
    const bad = await get('/containerLogs/default/web-0/web?tailLines=-1');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('must be greater than or equal to 0');
  });

  it('answers 404 for paths it does not serve', async () => {
    expect((await get('/pods')).status).toBe(404);
  });
});

describe('the kubelet endpoint on the Node', () => {
  it('is published as status.daemonEndpoints.kubeletEndpoint.Port and read with the public-ip annotation', async () => {
    // NodeDaemonEndpoints (core/v1 types.go) carries the kubelet port the API server dials.
    const store = createMemoryStore({ backend: new MemoryBackend() });
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-a', annotations: { [publicIPAnnotation]: '127.0.0.2' } },
      status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] },
    };
    await store.create(node);
    await publishKubeletPort(store, 'node-a', 41234);
    const published = (await store.get<Node>({ kind: 'Node', name: 'node-a' }))!;
    expect(published.status?.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 41234 } });
    expect(published.status?.addresses).toEqual(node.status?.addresses);
    const endpoint = kubeletEndpointOf(published)!;
    expect(endpoint).toEqual({ address: '127.0.0.2', port: 41234 });
    expect(containerLogsURL(endpoint, 'default', 'web-0', 'web', { tailLines: 5 })).toBe(
      'http://127.0.0.2:41234/containerLogs/default/web-0/web?tailLines=5',
    );
    await store.close();
  });

  it('is absent while the Node publishes no kubelet port', () => {
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n', annotations: { [publicIPAnnotation]: '127.0.0.2' } },
    };
    expect(kubeletEndpointOf(node)).toBeUndefined();
  });
});
