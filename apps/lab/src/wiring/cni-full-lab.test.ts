// startFullLab wires @kemu/cni: pod IPs from cni IPAM and pod traffic through the node agents.
import { type Pod, parseManifestsOrThrow } from '@kemu/core';
import { afterEach, expect, it } from 'vitest';
import { type FullLab, startFullLab } from './full-lab.js';

const manifests = `
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  nodeName: kemu-worker
  containers: [{name: c, image: kemu/echo, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: server, labels: {app: server}}
spec:
  nodeName: kemu-worker2
  containers: [{name: s, image: kemu/echo, ports: [{containerPort: 9090}]}]
`;

let full: FullLab | undefined;
afterEach(async () => {
  await full?.close();
  full = undefined;
});

it('carries pod-to-pod TCP across node agents in a full lab', async () => {
  // The data path of ARCHITECTURE.md: pod → its node agent → HTTP/2 tunnel → peer agent → pod.
  full = await startFullLab({
    nodes: 2,
    objects: parseManifestsOrThrow(manifests),
    api: false,
    dashboardPort: false,
    ingressPort: 0,
  });
  const { lab, podNetwork } = full;
  const ipOf = async (name: string) => {
    for (let i = 0; i < 100; i++) {
      const pod = await lab.store.get<Pod>({ kind: 'Pod', namespace: 'default', name });
      if (pod?.status?.phase === 'Running' && pod.status.podIP) return pod.status.podIP;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`pod ${name} is not running`);
  };
  const client = await ipOf('client');
  const server = await ipOf('server');
  const agent = await podNetwork.agent('kemu-worker');
  const outcome = await agent.connect(client, 40000, server, 9090);
  if (!outcome.ok) throw new Error(outcome.reason);
  expect(outcome.hops).toEqual(['tunnel kemu-worker -> kemu-worker2']);
  outcome.stream.end('GET /x HTTP/1.1\r\nHost: server\r\nConnection: close\r\n\r\n');
  const text = await new Promise<string>((resolve) => {
    let data = '';
    outcome.stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
    outcome.stream.on('end', () => resolve(data));
  });
  expect(text).toContain('"pod":"server"');
});
