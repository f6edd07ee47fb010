// The `kemu/testing` examples of apps/lab/README.md ("Use it from tests"), word for word: issue 8,
// "examples in vitest in the README" that must pass in CI.
import { createLab } from 'kemu/testing';
import { describe, expect, it } from 'vitest';

const shop = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
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
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /$2}
spec:
  rules:
  - host: shop.test
    http:
      paths: [{path: /api(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: web, port: {name: http}}}}]
`;

describe('kemu/testing', () => {
  it('routes /api/items to the web Service with the rewrite applied', async () => {
    await using lab = await createLab(shop, { nodes: 2 });
    await lab.ready();
    const res = await lab.request('/api/items', { host: 'shop.test' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ path: '/items', host: 'shop.test' });
  });

  it('traces a request hop by hop: rule, Service, endpoint, overlay, pod', async () => {
    await using lab = await createLab(shop, { nodes: 2 });
    await lab.ready();
    const trace = await lab.trace('/api/items', { host: 'shop.test' });
    expect(trace.hops.map((hop) => hop.kind)).toEqual(['Ingress', 'service', 'endpoint', 'tunnel', 'pod']);
    expect(trace.pod).toBe(`default/${(trace.response.json as { pod: string }).pod}`);
  });

  it('answers 404 for a host no rule matches, as ingress-nginx does', async () => {
    await using lab = await createLab(shop);
    await lab.ready();
    expect((await lab.request('/', { host: 'other.test' })).status).toBe(404);
  });

  it('applies a change to a running lab: a new path appears', async () => {
    await using lab = await createLab(shop);
    await lab.ready();
    await lab.apply(shop.replace('/api(/|$)(.*)', '/v2(/|$)(.*)'));
    await lab.ready();
    expect((await lab.request('/v2/items', { host: 'shop.test' })).status).toBe(200);
  });
});
