import type { Pod } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { createLab } from '../testing/index.js';
import { ingressControllerPeer } from './cni-host-gateway.js';

// Issue 7's data path: host → ingress → service → overlay → pod (ARCHITECTURE.md, "The data path
// in a running lab"). The ingress reaches pods through the host's node agent and the HTTP/2
// tunnel, and NetworkPolicy judges it as the ingress-nginx controller pod — the identity a
// cluster's policies admit it by (kubernetes/ingress-nginx deploy/static/provider/kind labels).
const manifests = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: kemu/echo, ports: [{name: http, containerPort: 9090}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.test
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
`;

const onlyFromOtherPods = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
`;

describe('the host gateway: ingress traffic crosses the overlay', () => {
  it('reaches pods on every node through their agents’ tunnels, as the ingress-nginx controller', async () => {
    await using lab = await createLab(manifests, { nodes: 2 });
    await lab.ready();
    const nodes = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const answer = await lab.request('/items', { host: 'shop.test' });
      expect(answer.status).toBe(200);
      nodes.add((answer.json as { node: string }).node);
    }
    expect(nodes.size).toBe(2);
    // The destination agents counted bytes arriving through their tunnel from the controller's address.
    const pods = lab.full.lab.informers.for<Pod>('Pod').list();
    for (const pod of pods) {
      const agent = await lab.full.podNetwork.agent(pod.spec.nodeName!);
      const pair = agent.counters.pair(ingressControllerPeer.ip, pod.status!.podIP!);
      expect(pair.bytesReceived).toBeGreaterThan(0);
    }
  });

  it('is refused by a NetworkPolicy that does not admit the ingress controller (502, as ingress-nginx answers)', async () => {
    const denying = manifests.replace(/---\napiVersion: networking.k8s.io\/v1\nkind: NetworkPolicy[\s\S]*$/, onlyFromOtherPods);
    expect(denying).toContain('app: web');
    await using lab = await createLab(denying, { nodes: 2 });
    await lab.ready();
    expect((await lab.request('/', { host: 'shop.test' })).status).toBe(502);
    const pods = lab.full.lab.informers.for<Pod>('Pod').list();
    const drops = await Promise.all(
      pods.map(async (pod) => {
        const agent = await lab.full.podNetwork.agent(pod.spec.nodeName!);
        return agent.counters.pair(ingressControllerPeer.ip, pod.status!.podIP!).drops['policy-ingress'] ?? 0;
      }),
    );
    // ingress-nginx tried each endpoint (proxy_next_upstream) and each agent refused it.
    expect(drops).toEqual([1, 1]);
  });
});
