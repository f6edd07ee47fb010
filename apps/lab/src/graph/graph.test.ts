import { parseManifestsOrThrow } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { toMermaid } from './mermaid.js';
import { toSvg } from './svg.js';
import { buildTopology } from './topology.js';

const lab = parseManifestsOrThrow(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: edge}
spec:
  rules:
  - host: shop.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: kemu/echo}]
      volumes: [{name: cache, persistentVolumeClaim: {claimName: cache}}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {role: client}}
spec: {nodeName: kemu-worker2, containers: [{name: c, image: kemu/echo}]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: cache}
spec: {accessModes: [ReadWriteOnce], storageClassName: kemu, resources: {requests: {storage: 1Gi}}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: kemu}
provisioner: csi.kemu.dev
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-client}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {role: client}}}]}]
`);

describe('kemu graph', () => {
  const topology = buildTopology(lab);
  const edge = (from: string, to: string) => topology.edges.find((e) => e.from === from && e.to === to);

  it('draws ingress → service → workload with the rule and ports as labels', () => {
    expect(edge('Ingress_default_edge', 'Service_default_web')).toMatchObject({ style: 'traffic', label: 'shop.test/' });
    expect(edge('Service_default_web', 'Deployment_default_web')).toMatchObject({ style: 'traffic', label: '80/TCP' });
  });

  it('draws a workload mounting its claim, and the claim its storage class', () => {
    expect(edge('Deployment_default_web', 'PersistentVolumeClaim_default_cache')).toMatchObject({
      style: 'storage',
      label: 'cache',
    });
    expect(edge('PersistentVolumeClaim_default_cache', 'StorageClass__kemu')).toMatchObject({ style: 'storage' });
  });

  it('draws a NetworkPolicy allowance as a dotted edge from the allowed peer to the selected pods', () => {
    expect(edge('Pod_default_client', 'Deployment_default_web')).toMatchObject({ style: 'policy', label: 'web-from-client' });
    expect(toMermaid(topology)).toContain('Pod_default_client -.->|"web-from-client"| Deployment_default_web');
  });

  it('groups pods by the node they run on', () => {
    const mermaid = toMermaid(topology);
    expect(mermaid).toMatch(/subgraph g\d+\["node kemu-worker2"\]\n\s+Pod_default_client\("Pod client"\)\n\s+end/);
  });

  it('writes a standalone SVG with one box per object', () => {
    const svg = toSvg(topology);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g id=/g)).toHaveLength(topology.nodes.length);
    expect(svg).toContain('stroke-dasharray');
  });
});

describe('kemu graph --lab', () => {
  it('draws a running lab from its dashboard state', async () => {
    const { createMemoryStore, MemoryBackend } = await import('@kemu/core');
    const { startDashboard, TrafficLog, LabMetrics } = await import('../dashboard/index.js');
    const { runCli } = await import('../../test/run-cli.js');
    const store = createMemoryStore({ backend: new MemoryBackend() });
    for (const object of lab) await store.create(object);
    const dashboard = await startDashboard({ store, traffic: new TrafficLog(), metrics: new LabMetrics(), port: 0 });
    try {
      const { code, stdout } = await runCli('graph', '--lab', dashboard.url);
      expect(code).toBe(0);
      expect(stdout).toContain('Ingress_default_edge -->|"shop.test/"| Service_default_web');
    } finally {
      await dashboard.close();
    }
  });

  it('asks for manifests or --lab when given neither', async () => {
    const { runCli } = await import('../../test/run-cli.js');
    const { code, stderr } = await runCli('graph');
    expect(code).toBe(1);
    expect(stderr).toContain('give manifests with -f, or --lab');
  });
});
