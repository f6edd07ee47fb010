import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createMemoryStore, MemoryBackend, type Node, type Store, updateWithRetry } from '@kemu/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LabClient } from '../lab/client/api-client.js';
import { type FullLab, startFullLab } from '../wiring/full-lab.js';
import { type NodeRuntime, startNodeRuntime } from './node-runtime.js';

// Issue 7 "logs kept per pod (`kemu logs pod/NAME`)" with issue 8's agents in other processes: the
// API server's pods/log subresource proxies to the kubelet of the pod's node (strategy.go
// LogLocation → kubelet /containerLogs), here the agent's KubeletServer on its advertise address.
// As node-runtime.test.ts, the agent has its own informers over a store shared with the control plane.
const manifests = `
apiVersion: v1
kind: Pod
metadata: {name: echo}
spec:
  containers: [{name: web, image: kemu/echo, ports: [{containerPort: 8080}]}]
`;

interface Answer {
  status: number;
  body: string;
}

describe('pods/log for a pod that runs in a kemu agent', () => {
  let store: Store;
  let dataDir: string;
  let control: FullLab;
  let runtime: NodeRuntime;

  beforeAll(async () => {
    store = createMemoryStore({ backend: new MemoryBackend() });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-kubelet-logs-'));
    control = await startFullLab({ store, agents: false, api: { port: 0 }, ingressPort: 0, dashboardPort: false, dataDir });
    runtime = await startNodeRuntime({ store, node: 'node-a', advertise: '127.0.0.2', dataDir, heartbeatMs: 100 });
    await control.lab.apply(manifests);
    await control.lab.ready(15_000);
  });

  afterAll(async () => {
    await runtime?.close();
    await control?.close();
    await store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function podLog(query = ''): Promise<Answer> {
    const response = await fetch(`${control.lab.apiURL}/api/v1/namespaces/default/pods/echo/log${query}`);
    return { status: response.status, body: await response.text() };
  }

  it("publishes the agent's kubelet port and serving certificate fingerprint on its Node", async () => {
    const node = (await store.get<Node>({ kind: 'Node', name: 'node-a' }))!;
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(runtime.kubelet.port);
    expect(runtime.kubelet.url).toMatch(/^https:\/\/127\.0\.0\.2:\d+$/);
    expect(node.metadata.annotations?.['kemu.dev/kubelet-serving-cert-sha256']).toBe(runtime.kubelet.fingerprint);
    expect(runtime.kubelet.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("answers GET pods/NAME/log with the log the agent's pod wrote", async () => {
    // The control plane runs no agent: its own logs do not have the pod.
    expect(control.lab.logs('default', 'echo')).toBeUndefined();
    const answer = await podLog();
    expect(answer.status, answer.body).toBe(200);
    expect(answer.body).toContain('kemu/echo serving default/echo on 8080/TCP');
  });

  it('passes container and tailLines through to the kubelet', async () => {
    const answer = await podLog('?container=web&tailLines=1');
    expect(answer.status, answer.body).toBe(200);
    expect(answer.body.trimEnd().split('\n')).toHaveLength(1);
    // What `kemu logs pod/echo --tail 1` does.
    const client = new LabClient({ server: control.lab.apiURL });
    expect(await client.logs('default', 'echo', { tailLines: 1 })).toBe(answer.body);
  });

  it('answers 400 BadRequest for a container the pod does not have, before asking the kubelet', async () => {
    // strategy.go LogLocation: "container %s is not valid for pod %s".
    const answer = await podLog('?container=db');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      code: 400,
      message: 'container db is not valid for pod echo',
    });
  });

  /** A followed pods/log over its own connection, read until a text arrives; `close` is the client going away. */
  async function followLog(query: string) {
    const request = http.get(`${control.lab.apiURL}/api/v1/namespaces/default/pods/echo/log${query}`, { agent: false });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    response.setEncoding('utf8');
    let seen = '';
    response.on('data', (chunk: string) => {
      seen += chunk;
    });
    return {
      status: response.statusCode,
      until: (text: string) => vi.waitFor(() => expect(seen).toContain(text)).then(() => seen),
      close: () => request.destroy(),
    };
  }

  const webLog = () => runtime.agent.logs('default', 'echo')!.get('web')!;

  it("follows the log through the agent's kubelet: a line written after the request arrives", async () => {
    // log.go: follow=true is passed to the kubelet (LogLocation) and its answer streamed (LocationStreamer).
    const log = await followLog('?follow=true&tailLines=1');
    expect(log.status).toBe(200);
    expect(await log.until('\n')).toBe('started container web (restart 0)\n');
    webLog().write('written after the request');
    expect(await log.until('written after the request\n')).toBe('started container web (restart 0)\nwritten after the request\n');
    log.close();
    await vi.waitFor(() => expect(webLog().followerCount).toBe(0));
  });

  it("closes the kubelet's stream when the client goes away", async () => {
    // The API server's connection to the kubelet ends with the client's: the kubelet stops following.
    const log = await followLog('?follow=true');
    await log.until('serving');
    expect(webLog().followerCount).toBe(1);
    log.close();
    await vi.waitFor(() => expect(webLog().followerCount).toBe(0));
  });

  it("answers --previous with the kubelet's 400 text when the container never restarted", async () => {
    // genericrest.GenericHttpResponseChecker: a kubelet 400 is a BadRequest with the kubelet's text.
    const answer = await podLog('?previous=true');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      reason: 'BadRequest',
      message: 'previous terminated container "web" in pod "echo" not found',
    });
  });

  it('answers 500 naming the node and both fingerprints when the Node pins another certificate', async () => {
    // kemu pins the kubelet's certificate (kubelet-dial.ts); upstream would need --kubelet-certificate-authority.
    const pin = (fingerprint: string) =>
      updateWithRetry<Node>(store, { kind: 'Node', name: 'node-a' }, (node) => {
        node.metadata.annotations = { ...node.metadata.annotations, 'kemu.dev/kubelet-serving-cert-sha256': fingerprint };
        return node;
      });
    const other = `${'AB:'.repeat(31)}AB`;
    await pin(other);
    try {
      const answer = await vi.waitFor(
        async () => {
          const log = await podLog();
          expect(log.status).toBe(500);
          return log;
        },
        { timeout: 5000 },
      );
      expect(JSON.parse(answer.body).message).toContain(
        `the kubelet of node node-a at 127.0.0.2:${runtime.kubelet.port} presented a certificate with SHA-256 fingerprint ${runtime.kubelet.fingerprint}, but the Node pins ${other}`,
      );
    } finally {
      await pin(runtime.kubelet.fingerprint);
    }
    await vi.waitFor(async () => expect((await podLog()).status).toBe(200), { timeout: 5000 });
  });

  it('answers 500 naming the kubelet when the agent no longer listens', async () => {
    await runtime.kubelet.close();
    const answer = await podLog();
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body).message).toMatch(
      /the kubelet of pod default\/echo on node node-a did not answer at https:\/\/127\.0\.0\.2:\d+/,
    );
  });
});
