// `kemu route http` (issue 5, CLI section): JSON with the matched route, backend or status, explanation.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../test/run-cli.js';

const manifests = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: nginx }
spec: { controller: k8s.io/ingress-nginx }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
ports: [{ name: http, port: 8080 }]
endpoints: [{ addresses: [10.244.1.5] }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: default
  annotations: { nginx.ingress.kubernetes.io/canary-by-header: X-Canary }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [secure.example.com] }]
  rules:
  - host: shop.example.com
    http:
      paths:
      - { path: /api, pathType: Prefix, backend: { service: { name: web, port: { name: http } } } }
  - host: secure.example.com
    http:
      paths:
      - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
`;

function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kemu-route-http-'));
  const file = join(dir, 'ingress.yaml');
  writeFileSync(file, manifests);
  return file;
}

const run = runCli;

afterEach(() => vi.restoreAllMocks());

describe('kemu route http', () => {
  it('prints the matched Ingress rule, the Service port and the explanation', async () => {
    const { code, stdout } = await run(
      'route',
      'http',
      '-f',
      fixture(),
      '--host',
      'shop.example.com',
      '--path',
      '/api/items',
      '--header',
      'X-Canary=never',
    );
    const out = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(out.route).toMatchObject({ kind: 'Ingress', namespace: 'default', name: 'web' });
    expect(out.backend).toMatchObject({ namespace: 'default', service: 'web', port: 80, endpoints: ['10.244.1.5:8080'] });
    expect(out.explanation.some((s: { verdict: string }) => s.verdict === 'selected')).toBe(true);
  });

  it('prints the status and redirect Location when the router answers by itself', async () => {
    const { stdout } = await run('route', 'http', '-f', fixture(), '--host', 'secure.example.com', '--path', '/x');
    expect(JSON.parse(stdout)).toMatchObject({ status: 308, location: 'https://secure.example.com/x' });
  });

  it('answers 404 for a host no rule serves', async () => {
    const { stdout } = await run('route', 'http', '-f', fixture(), '--host', 'nobody.example', '--path', '/');
    expect(JSON.parse(stdout).status).toBe(404);
  });

  it('refuses a malformed --header with exit code 1', async () => {
    const { code } = await run('route', 'http', '-f', fixture(), '--host', 'a', '--path', '/', '--header', 'novalue');
    expect(code).toBe(1);
  });
});
