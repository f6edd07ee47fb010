import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createMemoryStore, MemoryBackend, type Node, type Pod, type Store } from '@kemu/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPodNetwork } from '../lab/runtime/pod-network-annotation.js';
import { agentEndpointOf } from '../wiring/cni-directory.js';
import { type FullLab, startFullLab } from '../wiring/full-lab.js';
import { type NodeRuntime, startNodeRuntime } from './node-runtime.js';

// Issue 8: "kemu up --no-agents runs only the control plane"; agents join through the store.
// Here each runtime has its own informers, directory and pod network over one shared store, as
// separate processes would (tests/agents.test.ts runs real processes over Redis).
const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: kemu/echo, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: nginx
  rules:
  - host: web.localtest.me
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
`;

function get(url: string, options: http.RequestOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** A plain-HTTP request sent through a pod's own proxy (absolute-form, RFC 9112 §3.2.2): made from the pod's network. */
function getFromPod(pod: Pod, url: string): Promise<{ status: number; body: string }> {
  const proxy = new URL(readPodNetwork(pod)!.httpProxy!);
  return get(`http://${proxy.host}`, { path: url, headers: { host: new URL(url).host } });
}

describe('a control plane with node agents in other processes', () => {
  let store: Store;
  let dataDir: string;
  let control: FullLab;
  const runtimes: NodeRuntime[] = [];

  beforeEach(async () => {
    store = createMemoryStore({ backend: new MemoryBackend() });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-agents-'));
    control = await startFullLab({ store, agents: false, api: false, ingressPort: 0, dashboardPort: false, dataDir });
    runtimes.push(
      await startNodeRuntime({ store, node: 'node-a', advertise: '127.0.0.2', zone: 'zone-a', dataDir, heartbeatMs: 100 }),
      await startNodeRuntime({ store, node: 'node-b', advertise: '127.0.0.3', zone: 'zone-b', dataDir, heartbeatMs: 100 }),
    );
    await control.lab.apply(manifests);
    await control.lab.ready(15_000);
  });

  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close();
    await control.close();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives each registered node its own pod CIDR and publishes its agent on the Node', async () => {
    const nodes = (await store.list<Node>('Node')).items;
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(['node-a', 'node-b']);
    expect(new Set(nodes.map((n) => n.spec?.podCIDR)).size).toBe(2);
    // flannel publishes the VTEP as flannel.alpha.coreos.com/public-ip + backend-data (Documentation/kubernetes.md)
    expect(nodes.map((n) => agentEndpointOf(n)?.address).sort()).toEqual(['127.0.0.2', '127.0.0.3']);
  });

  it('routes ingress requests to pods that run in the agents', async () => {
    await control.ingress.settled();
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const answer = await get(`${control.ingress.url}/`, { headers: { host: 'web.localtest.me' } });
      expect(answer.status, answer.body).toBe(200);
      seen.add((JSON.parse(answer.body) as { node: string }).node);
    }
    expect([...seen].sort()).toEqual(['node-a', 'node-b']);
  });

  it('carries a pod-to-pod request from one agent to the other through the tunnel', async () => {
    const pods = (await store.list<Pod>('Pod')).items;
    const from = pods.find((p) => p.spec.nodeName === 'node-a')!;
    const to = pods.find((p) => p.spec.nodeName === 'node-b')!;
    const answer = await getFromPod(from, `http://${to.status!.podIP}:8080/hello`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ pod: to.metadata.name, node: 'node-b', path: '/hello' });
  });
});
