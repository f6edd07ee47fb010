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

// A running lab's objects: pods bound to nodes, owned by their workloads, with IPs and readiness.
const running = parseManifestsOrThrow(`
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: kemu/echo}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: kemu/echo}]}}
  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5b976-a
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5b976, uid: u1, controller: true}]
spec: {nodeName: kemu-worker, containers: [{name: web, image: kemu/echo}]}
status: {podIP: 10.244.1.2, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5b976-b
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5b976, uid: u1, controller: true}]
spec: {nodeName: kemu-worker2, containers: [{name: web, image: kemu/echo}]}
status: {podIP: 10.244.2.2, conditions: [{type: Ready, status: "False"}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  namespace: shop
  labels: {app: db}
  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: u2, controller: true}]
spec:
  nodeName: kemu-worker2
  containers: [{name: db, image: kemu/echo}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data-db-0}}]
status: {podIP: 10.244.2.3, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data-db-0, namespace: shop}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
`);

describe('kemu graph of a running lab', () => {
  // The Service concept page draws a Service in front of the pods it selects, spread over nodes.
  const topology = buildTopology(running);
  const edge = (from: string, to: string) => topology.edges.find((e) => e.from === from && e.to === to);

  it('points a Service at each pod it selects, not at the workload', () => {
    expect(edge('Service_shop_web', 'Pod_shop_web_5b976_a')).toMatchObject({ style: 'traffic', label: '80/TCP' });
    expect(edge('Service_shop_web', 'Pod_shop_web_5b976_b')).toMatchObject({ style: 'traffic' });
    expect(edge('Service_shop_web', 'Deployment_shop_web')).toBeUndefined();
  });

  it('groups pods in a subgraph per node, each with its IP and readiness', () => {
    const mermaid = toMermaid(topology);
    expect(mermaid).toMatch(
      /subgraph g\d+\["node kemu-worker"\]\n\s+Pod_shop_web_5b976_a\("Pod web-5b976-a<br\/>10\.244\.1\.2"\)\n\s+end/,
    );
    expect(mermaid).toContain('Pod_shop_web_5b976_b("Pod web-5b976-b<br/>10.244.2.2 (not ready)")');
    expect(mermaid).toMatch(/subgraph g\d+\["node kemu-worker2"\]\n\s+Pod_shop_db_0[^\n]+\n\s+Pod_shop_web_5b976_b/);
  });

  it('links each workload to its pods, through the ReplicaSet for a Deployment', () => {
    expect(edge('Deployment_shop_web', 'Pod_shop_web_5b976_b')).toMatchObject({ style: 'owner' });
    expect(edge('StatefulSet_shop_db', 'Pod_shop_db_0')).toMatchObject({ style: 'owner' });
    expect(toMermaid(topology)).toContain('StatefulSet_shop_db --- Pod_shop_db_0');
  });

  it('links a StatefulSet pod to its own claim instead of the claim template', () => {
    expect(edge('Pod_shop_db_0', 'PersistentVolumeClaim_shop_data_db_0')).toMatchObject({ style: 'storage', label: 'data' });
    expect(topology.nodes.some((n) => n.name === 'data-db-*')).toBe(false);
  });

  it('keeps NetworkPolicy allowances between workloads, one edge however many replicas', () => {
    expect(topology.edges.filter((e) => e.style === 'policy')).toEqual([
      { from: 'Deployment_shop_web', to: 'StatefulSet_shop_db', style: 'policy', label: 'db-from-web' },
    ]);
  });

  it('draws a box per node around its pods in the SVG', () => {
    const svg = toSvg(topology);
    expect(svg).toContain('>node kemu-worker</text>');
    expect(svg).toContain('>node kemu-worker2</text>');
    expect(svg).toContain('shop/web-5b976-b 10.244.2.2 (not ready)');
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
