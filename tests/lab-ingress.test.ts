import { createLab } from 'kemu/testing';
import { describe, expect, it } from 'vitest';

// The data path of ARCHITECTURE.md, end to end on loopback: client → ingress (@kemu/ingress) →
// Service → pod (the echo app on its real port), on a two-node lab started inside the test.
const shop = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: kemu/echo, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
`;

describe('a lab in a test (kemu/testing)', () => {
  it('answers a request through ingress → service → pod, with the pod that answered', async () => {
    await using lab = await createLab(`apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n${shop}`, { nodes: 2 });
    await lab.ready();
    const response = await lab.request('/items?page=2', { host: 'shop.test' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ namespace: 'shop', method: 'GET', host: 'shop.test', path: '/items', query: 'page=2' });
    expect((response.json as { pod: string }).pod).toMatch(/^web-/);
    // ingress-nginx headers reached the pod.
    expect(JSON.stringify(response.json)).toContain('x-forwarded-host');
  });

  it("answers 404 for a host no rule serves, as ingress-nginx's default backend does", async () => {
    await using lab = await createLab(`apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n${shop}`);
    await lab.ready();
    expect((await lab.request('/', { host: 'unknown.test' })).status).toBe(404);
  });

  it('records the request in the traffic log with its hops', async () => {
    await using lab = await createLab(`apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n${shop}`);
    await lab.ready();
    await lab.request('/', { host: 'shop.test' });
    const record = lab.full.traffic.recent().at(-1)!;
    expect(record.summary).toBe('GET shop.test/');
    expect(record.service).toBe('shop/web');
    // The ingress reaches the pod through the overlay (ARCHITECTURE.md, the data path in a running lab).
    expect(record.hops.map((h) => h.kind)).toEqual(['Ingress', 'service', 'endpoint', 'tunnel', 'pod']);
    expect(record.pod).toMatch(/^shop\/web-/);
  });
});
