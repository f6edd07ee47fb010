// Small manifest builders shared by the tests: a Service with ready endpoints per backend name.
import { type KubernetesObject, parseManifestsOrThrow } from '@kemu/core';
import { expect } from 'vitest';
import { type HTTPRequest, type RouteAnswer, Router, type RouterOptions } from '../src/index.js';

/** A Service `name` (port 80 → 8080) with one ready endpoint per address. */
export function serviceYaml(name: string, addresses: string[] = ['10.244.1.10'], namespace = 'default'): string {
  const endpoints = addresses.map((a) => `  - addresses: ["${a}"]\n    conditions: { ready: true }`).join('\n');
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-abc
  namespace: ${namespace}
  labels: { kubernetes.io/service-name: ${name} }
addressType: IPv4
ports: [{ name: http, port: 8080, protocol: TCP }]
endpoints:${addresses.length ? `\n${endpoints}` : ' []'}
`;
}

/** The IngressClass `nginx` served by ingress-nginx. */
export const nginxClass = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: nginx }
spec: { controller: k8s.io/ingress-nginx }
`;

/** One Ingress of class nginx with `paths` on `host` (undefined = host-less). */
export function ingressYaml(
  name: string,
  paths: { path: string; type: string; service: string }[],
  options: { host?: string; annotations?: Record<string, string>; created?: string; extraSpec?: string } = {},
): string {
  const annotations = Object.entries(options.annotations ?? {})
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  const pathLines = paths
    .map(
      (p) =>
        `      - path: ${JSON.stringify(p.path)}\n        pathType: ${p.type}\n        backend: { service: { name: ${p.service}, port: { number: 80 } } }`,
    )
    .join('\n');
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: default
${options.created ? `  creationTimestamp: "${options.created}"\n` : ''}${annotations ? `  annotations:\n${annotations}\n` : ''}spec:
  ingressClassName: nginx
${options.extraSpec ?? ''}  rules:
  - ${options.host ? `host: "${options.host}"\n    ` : ''}http:
      paths:
${pathLines}
`;
}

/** Parses documents joined with `---`. */
export function objects(...docs: string[]): KubernetesObject[] {
  return parseManifestsOrThrow(docs.join('\n---\n'));
}

/** A router over the documents. */
export function router(docs: string[], options: RouterOptions = {}): Router {
  return new Router(objects(...docs), options);
}

/** The backend Service name the request reaches, or `status:<code>`. */
export function reach(r: Router, path: string, host = 'foo.com', extra: Record<string, unknown> = {}): string {
  const answer = r.match({ host, path, ...extra });
  return answer.outcome.type === 'backend' ? answer.outcome.backend.service : `status:${answer.outcome.status}`;
}

/**
 * Asserts that answers for `request` (routed to Service `s0`) follow its endpoint changes after
 * the first answer: endpoints are looked up at match time, so a planned answer must not go stale.
 */
export function expectEndpointChangesFollowed(
  router: { match(request: HTTPRequest): RouteAnswer; apply(objects: KubernetesObject[]): void },
  request: HTTPRequest,
): void {
  router.match(request);
  router.apply(objects(serviceYaml('s0', ['10.244.9.9'])));
  const outcome = router.match(request).outcome;
  expect(outcome.type === 'backend' && outcome.endpoints.map((e) => e.address)).toEqual(['10.244.9.9']);
  router.apply(objects(serviceYaml('s0', [])));
  expect(router.match(request).reason).toBe('NoReadyEndpoints');
}
