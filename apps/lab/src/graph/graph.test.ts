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

// A running lab's objects, as the dashboard's /kemu/v1/state returns them: two Nodes, four pods
// bound to them (three a controller made, one standalone), an EndpointSlice for web, none for db,
// a StatefulSet pod's own claim bound to a volume attached to the pod's node.
const running = parseManifestsOrThrow(`
apiVersion: v1
kind: Node
metadata: {name: kemu-worker}
spec: {podCIDR: 10.244.1.0/24, podCIDRs: [10.244.1.0/24]}
---
apiVersion: v1
kind: Node
metadata: {name: kemu-worker2}
spec: {podCIDR: 10.244.2.0/24, podCIDRs: [10.244.2.0/24]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: edge, namespace: shop}
spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {clusterIP: None, selector: {app: db}, ports: [{name: pg, port: 5432, targetPort: pg}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-x7k2p, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
- addresses: [10.244.1.2]
  conditions: {ready: true, serving: true, terminating: false}
  targetRef: {kind: Pod, namespace: shop, name: web-5b976-a}
- addresses: [10.244.2.2]
  conditions: {ready: false, serving: false, terminating: false}
  targetRef: {kind: Pod, namespace: shop, name: web-5b976-b}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: kemu/echo}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: shop}
spec:
  selector: {matchLabels: {app: batch}}
  template: {metadata: {labels: {app: batch}}, spec: {containers: [{name: batch, image: kemu/echo}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: kemu/echo}]}}
  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], storageClassName: kemu, resources: {requests: {storage: 1Gi}}}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5b976-a
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5b976, uid: u1, controller: true}]
spec: {nodeName: kemu-worker, containers: [{name: web, image: kemu/echo, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.244.1.2, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5b976-b
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5b976, uid: u1, controller: true}]
spec: {nodeName: kemu-worker2, containers: [{name: web, image: kemu/echo, ports: [{name: http, containerPort: 8080}]}]}
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
  containers: [{name: db, image: kemu/echo, ports: [{name: pg, containerPort: 5432}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data-db-0}}]
status: {podIP: 10.244.2.3, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {role: client}}
spec: {nodeName: kemu-worker, containers: [{name: c, image: kemu/echo}]}
status: {podIP: 10.244.1.3, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data-db-0, namespace: shop}
spec: {accessModes: [ReadWriteOnce], storageClassName: kemu, volumeName: pv-1, resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-1}
spec: {accessModes: [ReadWriteOnce], capacity: {storage: 1Gi}, storageClassName: kemu, csi: {driver: csi.kemu.dev, volumeHandle: vol-1}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: kemu}
provisioner: csi.kemu.dev
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttachment
metadata: {name: csi-1}
spec: {attacher: csi.kemu.dev, nodeName: kemu-worker2, source: {persistentVolumeName: pv-1}}
status: {attached: true}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-client, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {role: client}}}]}]
`);

describe('kemu graph of a running lab', () => {
  const topology = buildTopology(running);
  const mermaid = toMermaid(topology);
  const edge = (from: string, to: string) => topology.edges.find((e) => e.from === from && e.to === to);

  it('draws each Node as a group titled with its podCIDR, holding the pods scheduled there', () => {
    // "Cluster Networking" and the networking concept pages draw a node as a box with its pod range and pods.
    expect(mermaid).toContain(
      [
        '  subgraph Node__kemu_worker["node kemu-worker · podCIDR 10.244.1.0/24"]',
        '    Pod_shop_client("Pod shop/client<br/>10.244.1.3")',
        '    Pod_shop_web_5b976_a("Pod shop/web-5b976-a<br/>10.244.1.2")',
        '  end',
        '  subgraph Node__kemu_worker2["node kemu-worker2 · podCIDR 10.244.2.0/24"]',
        '    Pod_shop_db_0("Pod shop/db-0<br/>10.244.2.3")',
        '    Pod_shop_web_5b976_b("Pod shop/web-5b976-b<br/>10.244.2.2 (not ready)")',
        '  end',
      ].join('\n'),
    );
  });

  it('keeps the entry points and Services in their namespace, and an Ingress pointing at its Service', () => {
    // The Ingress concept page: client → Ingress → routing rule → Service → pods.
    expect(mermaid).toMatch(/subgraph g\d+\["namespace shop"\]\n\s+Ingress_shop_edge\[\/"Ingress edge"\/\]/);
    expect(edge('Ingress_shop_edge', 'Service_shop_web')).toMatchObject({ style: 'traffic', label: 'default backend' });
  });

  it('points a Service at the pods of its ready endpoints, labelled port→targetPort', () => {
    // The Service concept page: a Service in front of the pods its EndpointSlices list.
    expect(edge('Service_shop_web', 'Pod_shop_web_5b976_a')).toEqual({
      from: 'Service_shop_web',
      to: 'Pod_shop_web_5b976_a',
      style: 'traffic',
      label: '80→8080/TCP',
    });
    expect(edge('Service_shop_web', 'Deployment_shop_web')).toBeUndefined();
    expect(edge('Service_shop_web', 'Pod_shop_client')).toBeUndefined();
  });

  it('draws a not-ready endpoint as a crossed dotted arrow that says so', () => {
    // EndpointSlices concept page, "Conditions": kube-proxy routes no new traffic to a not-ready endpoint.
    expect(edge('Service_shop_web', 'Pod_shop_web_5b976_b')).toMatchObject({
      style: 'unready',
      label: '80→8080/TCP (not ready)',
    });
    expect(mermaid).toContain('  Service_shop_web -.-x|"80→8080/TCP (not ready)"| Pod_shop_web_5b976_b\n');
  });

  it('matches the selector where a Service has no EndpointSlices, resolving a named targetPort', () => {
    // The slices the EndpointSlice controller would write: targetPort "pg" is the pod's containerPort named pg.
    expect(edge('Service_shop_db', 'Pod_shop_db_0')).toMatchObject({ style: 'traffic', label: '5432→5432/TCP' });
  });

  it('links a StatefulSet pod to its own claim, the claim to its volume and the volume to its class', () => {
    // StatefulSet concept page, "Stable Storage": each pod gets the claim <template>-<statefulset>-<ordinal>.
    expect(edge('Pod_shop_db_0', 'PersistentVolumeClaim_shop_data_db_0')).toMatchObject({ style: 'storage', label: 'data' });
    expect(edge('PersistentVolumeClaim_shop_data_db_0', 'PersistentVolume__pv_1')).toMatchObject({ style: 'storage' });
    expect(edge('PersistentVolume__pv_1', 'StorageClass__kemu')).toMatchObject({ style: 'storage' });
    expect(topology.nodes.some((n) => n.name === 'data-db-*')).toBe(false);
  });

  it("draws a VolumeAttachment as an arrow from the node's group to the volume", () => {
    expect(mermaid).toContain('  Node__kemu_worker2 ==>|"attached"| PersistentVolume__pv_1\n');
  });

  it('keeps NetworkPolicy allowances between workloads, a standalone pod being its own', () => {
    // Per pod, each replica pair would get an arrow; a pod no controller owns has no workload to stand for it.
    expect(topology.edges.filter((e) => e.style === 'policy')).toEqual([
      { from: 'Deployment_shop_web', to: 'StatefulSet_shop_db', style: 'policy', label: 'db-from-web' },
      { from: 'Pod_shop_client', to: 'Deployment_shop_web', style: 'policy', label: 'web-from-client' },
    ]);
  });

  it('draws a workload box only where a policy arrow names it, and no line from a workload to its pods', () => {
    expect(topology.nodes.map((n) => n.id)).not.toContain('Deployment_shop_batch');
    expect(topology.edges.some((e) => e.from.startsWith('Deployment_') && e.to.startsWith('Pod_'))).toBe(false);
  });

  it('declares every group and box once, and every arrow names one of them', () => {
    // Mermaid flowchart syntax: a subgraph id shares the namespace of node ids; an edge may name a subgraph.
    const declared = [...mermaid.matchAll(/^\s+(?:subgraph )?([A-Za-z0-9_]+)[[(]/gm)].map((m) => m[1]);
    expect(new Set(declared).size).toBe(declared.length);
    const arrows = [...mermaid.matchAll(/^ {2}(\S+) (?:-->|-\.-x|==>|-\.->)(?:\|"[^"]*"\|)? (\S+)$/gm)];
    expect(arrows).toHaveLength(topology.edges.length);
    for (const [, from, to] of arrows) expect(declared).toEqual(expect.arrayContaining([from, to]));
    expect(mermaid.match(/^\s+subgraph /gm)).toHaveLength(mermaid.match(/^\s+end$/gm)!.length);
  });

  it('prints the same text whatever order the objects come in', () => {
    expect(toMermaid(buildTopology([...running].reverse()))).toBe(mermaid);
  });

  it('draws a box per node around its pods in the SVG, titled with its podCIDR', () => {
    const svg = toSvg(topology);
    expect(svg).toContain('>node kemu-worker · podCIDR 10.244.1.0/24</text>');
    expect(svg).toContain('>node kemu-worker2 · podCIDR 10.244.2.0/24</text>');
    expect(svg).toContain('>10.244.2.2 (not ready)</text>');
    expect(svg).toContain('marker-end="url(#cross)"');
  });
});

describe('kemu graph --lab', () => {
  it('draws a running lab from its dashboard state', async () => {
    const { createMemoryStore, MemoryBackend } = await import('@kemu/core');
    const { startDashboard, TrafficLog, LabMetrics } = await import('../dashboard/index.js');
    const { runCli } = await import('../../test/run-cli.js');
    const store = createMemoryStore({ backend: new MemoryBackend() });
    for (const object of running) await store.create(object);
    const dashboard = await startDashboard({ store, traffic: new TrafficLog(), metrics: new LabMetrics(), port: 0 });
    try {
      const { code, stdout } = await runCli('graph', '--lab', dashboard.url);
      expect(code).toBe(0);
      expect(stdout).toContain('Ingress_shop_edge -->|"default backend"| Service_shop_web');
      expect(stdout).toContain('subgraph Node__kemu_worker2["node kemu-worker2 · podCIDR 10.244.2.0/24"]');
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
