import http from 'node:http';
import { createMemoryStore, MemoryBackend, type Pod, type Store } from '@kemu/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Admission } from '../src/lab/admission.js';
import { LabApiServer } from '../src/lab/api/server.js';
import { ContainerLog } from '../src/lab/runtime/logs.js';
import { openContainerLog } from '../src/lab/runtime/open-container-log.js';

// pods/log on the lab API server (pkg/registry/core/pod/rest/log.go, strategy.go LogLocation) over
// the kubelet's log of a pod on a node of this process: PodLogOptions decoded and validated, the
// container resolved, the log streamed as written with follow=true (kubectl logs -f).

let store: Store;
let server: LabApiServer;
let url: string;
let main: ContainerLog;

function pod(name: string, containers: string[], nodeName?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { ...(nodeName ? { nodeName } : {}), containers: containers.map((c) => ({ name: c, image: 'kemu/echo' })) },
  };
}

beforeEach(async () => {
  store = createMemoryStore({ backend: new MemoryBackend() });
  main = new ContainerLog('main');
  main.started();
  main.write('one');
  main.write('two');
  const node = { logs: (_namespace: string, name: string) => (name === 'web' ? new Map([['main', main]]) : undefined) };
  server = new LabApiServer({
    store,
    admission: new Admission(store),
    logs: (p, container, options) => openContainerLog(node, p.metadata.namespace!, p.metadata.name, container, options),
  });
  url = await server.start();
  for (const p of [pod('web', ['main'], 'n1'), pod('duo', ['a', 'b'], 'n1'), pod('pending', ['main'])]) await store.create(p);
});

afterEach(async () => {
  await server.close();
  await store.close();
});

async function get(query: string, name = 'web') {
  const response = await fetch(`${url}/api/v1/namespaces/default/pods/${name}/log${query}`);
  const text = await response.text();
  return { status: response.status, text, json: response.ok ? undefined : JSON.parse(text) };
}

/** Opens a followed log and reads from it until `text` has arrived. */
async function follow(query: string) {
  const response = await fetch(`${url}/api/v1/namespaces/default/pods/web/log${query}`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = '';
  return {
    response,
    async until(text: string): Promise<string> {
      while (!seen.includes(text)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`the log ended before ${JSON.stringify(text)} (got ${JSON.stringify(seen)})`);
        seen += value;
      }
      return seen;
    },
    async rest(): Promise<string> {
      for (let next = await reader.read(); !next.done; next = await reader.read()) seen += next.value;
      return seen;
    },
  };
}

describe('pods/log follow', () => {
  it('streams a line the container writes after the request started', async () => {
    // kubectl logs -f: follow=true; LogLocation passes it on, the kubelet follows the container's log.
    const log = await follow('?follow=true');
    expect(log.response.status).toBe(200);
    expect(await log.until('two\n')).toBe('one\ntwo\n');
    main.write('three');
    expect(await log.until('three\n')).toBe('one\ntwo\nthree\n');
  });

  it('ends the followed log when the container ends', async () => {
    // kuberuntime/logs ReadLogs: "The container is not running, we got to the end of the log."
    const log = await follow('?follow=true');
    await log.until('two\n');
    main.write('last words');
    main.exited(false);
    expect(await log.rest()).toBe('one\ntwo\nlast words\n');
    expect(main.followerCount).toBe(0);
  });

  it('stops following when the client goes away', async () => {
    // Ctrl-C on kubectl logs -f closes the connection; nothing keeps listening to the container.
    const request = http.get(`${url}/api/v1/namespaces/default/pods/web/log?follow=true`, { agent: false });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    await new Promise((resolve) => response.once('data', resolve));
    expect(main.followerCount).toBe(1);
    request.destroy();
    await vi.waitFor(() => expect(main.followerCount).toBe(0));
  });

  it('closes at once after a fetch client aborted a followed log', async () => {
    // undici keeps a fresh, request-less connection after an abort; lab shutdown must not wait for
    // Node's headersTimeout (60 s) on it, as `kemu up`'s Ctrl-C closes the API server.
    const controller = new AbortController();
    const response = await fetch(`${url}/api/v1/namespaces/default/pods/web/log?follow=true`, { signal: controller.signal });
    await response.body!.getReader().read();
    controller.abort();
    await vi.waitFor(() => expect(main.followerCount).toBe(0));
    await server.close();
  });

  it('tails, then follows', async () => {
    // kubectl logs --tail=1 -f: the last line, then every new one.
    const log = await follow('?tailLines=1&follow=true');
    expect(await log.until('two\n')).toBe('two\n');
    main.write('three');
    expect(await log.until('three\n')).toBe('two\nthree\n');
  });

  it('ends followed logs when the server closes', async () => {
    const log = await follow('?follow=true');
    await log.until('two\n');
    await server.close();
    await expect(log.rest()).rejects.toThrow();
    expect(main.followerCount).toBe(0);
  });
});

describe('pods/log options', () => {
  it("answers --previous for a container that never restarted with the kubelet's 400", async () => {
    // kubelet_pods.go validateContainerLogStatus; kubectl prints the Status message.
    expect(await get('?previous=true')).toMatchObject({
      status: 400,
      json: { kind: 'Status', reason: 'BadRequest', message: 'previous terminated container "main" in pod "web" not found' },
    });
  });

  it('serves the previous instance of a container that restarted', async () => {
    main.exited(true);
    main.started();
    main.write('after the restart');
    expect((await get('?previous=true')).text).toBe('one\ntwo\n');
    expect((await get('')).text).toBe('after the restart\n');
  });

  it('prefixes timestamps, keeps recent lines and stops at limitBytes', async () => {
    expect((await get('?timestamps=true&tailLines=1')).text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z two\n$/);
    expect((await get('?sinceSeconds=60')).text).toBe('one\ntwo\n');
    expect((await get('?limitBytes=6')).text).toBe('one\ntw');
  });

  it('refuses PodLogOptions that do not validate with 422 Invalid', async () => {
    // validation.go ValidatePodLogOptions, returned as errors.NewInvalid(api.Kind("PodLogOptions"), name, errs).
    expect(await get('?tailLines=-1')).toMatchObject({
      status: 422,
      json: {
        reason: 'Invalid',
        message: 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
      },
    });
    expect((await get('?sinceSeconds=0')).json.message).toBe(
      'PodLogOptions "web" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0',
    );
    expect((await get('?sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z')).json.message).toBe(
      'PodLogOptions "web" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    );
  });

  it('refuses a value that does not parse with 400', async () => {
    expect(await get('?tailLines=ten')).toMatchObject({ status: 400, json: { reason: 'BadRequest' } });
  });

  it('asks for a container name when the pod has several', async () => {
    // strategy.go LogLocation.
    expect(await get('', 'duo')).toMatchObject({
      status: 400,
      json: { message: 'a container name must be specified for pod duo, choose one of: [a b]' },
    });
  });

  it('answers 404 for a pod that does not exist', async () => {
    expect(await get('', 'nope')).toMatchObject({ status: 404, json: { reason: 'NotFound', message: 'pods "nope" not found' } });
  });

  it('answers an empty log for a pod not scheduled yet', async () => {
    // strategy.go LogLocation: "If pod has not been assigned a host, return an empty location".
    expect(await get('', 'pending')).toMatchObject({ status: 200, text: '' });
  });
});
