// The dashboard of a real, fully wired lab in a real browser: issue 8 asks that "the page shows the
// objects and that a request made during the test appears in the traffic view". Here the request is
// a real HTTP request through the lab's ingress, not a record written into the traffic log.
import http from 'node:http';
import { parseManifestsOrThrow } from '@kemu/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointsCaughtUp } from '../lab/endpoints-caught-up.js';
import { type FullLab, startFullLab } from '../wiring/full-lab.js';
import { chromiumPath, launchChromium } from './chromium.js';

if (!chromiumPath && process.env.CI === 'true')
  throw new Error('Chromium is required in CI for the dashboard browser test (apt-get install chromium)');

const manifests = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: echo, image: kemu/echo, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: default}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.test
    http:
      paths: [{path: /api, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
`;

/** A real request through the lab's ingress; node:http because fetch will not send a Host header of our choosing. */
function get(base: string, path: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.get({ host: url.hostname, port: url.port, path, headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

describe.skipIf(!chromiumPath)('the dashboard of a running lab in a real browser (Chromium via playwright-core)', () => {
  let full: FullLab;
  let browser: Browser;

  beforeAll(async () => {
    full = await startFullLab({
      nodes: 2,
      objects: parseManifestsOrThrow(manifests, { file: 'dashboard-live-lab' }),
      api: false,
      ingressPort: 0,
      dashboardPort: 0,
    });
    await full.lab.ready();
    // Pods turn Ready before their EndpointSlice write comes back through the watch (see endpoints-caught-up.ts).
    while (!endpointsCaughtUp(full.lab)) {
      await full.lab.settled();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await full.ingress.settled();
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await full?.close();
  });

  it('shows the pods, the service with its endpoints and the ingress rule of the running lab', async () => {
    const page = await browser.newPage();
    await page.goto(full.dashboard!.url);
    await page.waitForSelector('body[data-ready="true"]');
    const pods = await page.locator('[data-testid="pod"]').allTextContents();
    expect(pods).toHaveLength(2);
    for (const pod of pods) expect(pod).toMatch(/^default\/web-[a-z0-9]+-[a-z0-9]{5} 10\.244\.\d+\.\d+$/);
    expect(await page.locator('[data-testid="pod"] .dot.ready').count()).toBe(2);
    const service = await page.textContent('[data-testid="service"]');
    expect(service).toContain('default/web');
    // Both pod IPs are the Service's endpoints.
    for (const pod of pods) expect(service).toContain(pod.split(' ')[1]);
    expect(await page.textContent('[data-testid="route"]')).toContain('shop.test/api');
    await page.close();
  });

  it('shows a request sent through the ingress while the page is open, with its host, path, status and trace', async () => {
    const page = await browser.newPage();
    await page.goto(full.dashboard!.url);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('[data-testid="request"]').count()).toBe(0);
    const response = await get(full.ingress.url!, '/api/items?page=2', 'shop.test');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ path: '/api/items', host: 'shop.test' });
    const row = page.locator('[data-testid="request"]');
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('GET shop.test/api/items?page=2');
    expect(await row.locator('td').nth(2).textContent()).toBe('200');
    await row.click();
    const trace = await page.textContent('[data-testid="trace"]');
    expect(trace).toContain('default/shop');
    expect(trace).toContain('default/web:80');
    await page.close();
  });
});
