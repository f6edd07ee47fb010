// Both routers answer the same request with the same types, so kemu migrate can compare
// an ingress-nginx Ingress with its Gateway API translation.
import { describe, expect, it } from 'vitest';
import { compareAnswers, summarizeAnswer } from '../src/index.js';
import { ingressYaml, nginxClass, router, serviceYaml } from './fixtures.js';

const gatewayDocs = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: kemu
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: shop, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [shop.com]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /api } }]
    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: / } } }]
    backendRefs: [{ name: api, port: 80 }]`;

describe('comparing the two routers', () => {
  const r = router([
    nginxClass,
    serviceYaml('api'),
    gatewayDocs,
    ingressYaml('shop', [{ path: '/api(/|$)(.*)', type: 'ImplementationSpecific', service: 'api' }], {
      host: 'shop.com',
      annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' },
    }),
  ]);

  it('agree on backend and upstream path for /api/items', () => {
    const request = { host: 'shop.com', path: '/api/items?page=2' };
    const a = r.match(request, 'ingress-nginx');
    const b = r.match(request, 'gateway');
    expect(summarizeAnswer(a)).toEqual({ backend: 'default/api:80', upstreamPath: '/items?page=2' });
    expect(compareAnswers(a, b)).toEqual([]);
  });

  it('report where they differ: the regex Ingress is case-insensitive, PathPrefix is not', () => {
    const request = { host: 'shop.com', path: '/API/items' };
    expect(compareAnswers(r.match(request, 'ingress-nginx'), r.match(request, 'gateway')).map((d) => d.field)).toEqual([
      'backend',
      'status',
      'upstreamPath',
    ]);
  });

  it('auto picks the Gateway router when a served listener uses the request port', () => {
    expect(r.match({ host: 'shop.com', path: '/api' }).dataPlane).toBe('gateway');
    expect(r.match({ host: 'shop.com', path: '/api', port: 8080 }).dataPlane).toBe('ingress-nginx');
  });
});
