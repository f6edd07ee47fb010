import { checkServerIdentity, connect } from 'node:tls';
import { createMemoryStore, MemoryBackend, type Node } from '@kemu/core';
import { Agent, fetch } from 'undici';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerLogsURL, kubeletEndpointOf, publicIPAnnotation } from '../lab/remote-logs.js';
import { ContainerLog } from '../lab/runtime/logs.js';
import { KubeletServer, publishKubeletEndpoint } from './kubelet-server.js';
import { generateKubeletServingCertificate } from './kubelet-serving-cert.js';

// The kubelet's read-only log endpoint (kubernetes pkg/kubelet/server/server.go getContainerLogs):
// GET /containerLogs/{podNamespace}/{podID}/{containerName}?tailLines=N, plain text, over HTTPS
// (the kubelet serves only TLS on 10250). The client trusts exactly the generated certificate and
// checks the server's address against its subjectAltNames, so every request below shows the
// certificate names the address the kubelet listens on.
describe('KubeletServer', () => {
  const token = 'lab-kubelet-token';
  const certificate = generateKubeletServingCertificate('node-a', ['127.0.0.1']);
  const dispatcher = new Agent({ connect: { ca: certificate.cert } });
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
    const source = { logs: (ns: string, pod: string) => pods.get(`${ns}/${pod}`) };
    server = new KubeletServer({ source, host: '127.0.0.1', token, certificate });
    await server.start();
  });

  afterEach(async () => {
    await server.close();
    pods.clear();
  });

  afterAll(() => dispatcher.close());

  async function get(path: string, bearer = token): Promise<{ status: number; body: string; type: string | null }> {
    const headers = bearer ? { authorization: `Bearer ${bearer}` } : undefined;
    const response = await fetch(`${server.url}${path}`, { dispatcher, headers });
    return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
  }

  it('serves HTTPS with its certificate, whose subjectAltNames name the address it listens on', async () => {
    // cmd/kubelet/app/server.go InitializeTLS: the kubelet serves TLS with the certificate it was given or made.
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const presented = await new Promise<string | undefined>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: server.port, ca: certificate.cert }, () => {
        resolve(socket.getPeerX509Certificate()?.fingerprint256);
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(presented).toBe(certificate.fingerprint);
  });

  it('is refused by a client that checks its certificate against another address', async () => {
    // The subjectAltNames are the node's name and addresses, nothing else (RFC 6125 §6.4: an IP is
    // matched against iPAddress entries only).
    const error = await new Promise<Error>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: server.port,
        ca: certificate.cert,
        checkServerIdentity: (_host, cert) => checkServerIdentity('127.0.0.9', cert),
      });
      socket.on('secureConnect', () => socket.destroy());
      socket.on('error', resolve);
    });
    expect(error.message).toMatch(/IP: 127\.0\.0\.9 is not in the cert's list: 127\.0\.0\.1/);
  });

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
      dispatcher,
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
  const fingerprint = generateKubeletServingCertificate('node-a', ['127.0.0.2']).fingerprint;

  it('is published as status.daemonEndpoints.kubeletEndpoint.Port with the certificate fingerprint, and read with the public-ip annotation', async () => {
    // NodeDaemonEndpoints (core/v1 types.go) carries the kubelet port the API server dials; the
    // kemu.dev annotation carries what the API server pins (upstream pins nothing without a CA).
    const store = createMemoryStore({ backend: new MemoryBackend() });
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-a', annotations: { [publicIPAnnotation]: '127.0.0.2' } },
      status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] },
    };
    await store.create(node);
    await publishKubeletEndpoint(store, 'node-a', 41234, fingerprint);
    const published = (await store.get<Node>({ kind: 'Node', name: 'node-a' }))!;
    expect(published.status?.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 41234 } });
    expect(published.status?.addresses).toEqual(node.status?.addresses);
    expect(published.metadata.annotations).toEqual({
      [publicIPAnnotation]: '127.0.0.2',
      'kemu.dev/kubelet-serving-cert-sha256': fingerprint,
    });
    const endpoint = kubeletEndpointOf(published)!;
    expect(endpoint).toEqual({ address: '127.0.0.2', port: 41234, certificateSHA256: fingerprint });
    expect(containerLogsURL(endpoint, 'default', 'web-0', 'web', { tailLines: 5 })).toBe(
      'https://127.0.0.2:41234/containerLogs/default/web-0/web?tailLines=5',
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
