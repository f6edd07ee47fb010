import { createMemoryStore, MemoryBackend, parseManifestsOrThrow, type Store } from '@kemu/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium } from './chromium.js';
import { LabMetrics } from './metrics.js';
import { type Dashboard, startDashboard } from './server.js';
import { TrafficLog } from './traffic-log.js';

if (!chromiumPath && process.env.CI === 'true')
  throw new Error('Chromium is required in CI for the dashboard browser test (apt-get install chromium)');

const objects = parseManifestsOrThrow(`
apiVersion: v1
kind: Node
metadata: {name: kemu-worker, labels: {topology.kubernetes.io/zone: zone-a}}
spec: {podCIDR: 10.244.1.0/24}
---
apiVersion: v1
kind: Node
metadata: {name: kemu-worker2, labels: {topology.kubernetes.io/zone: zone-b}}
spec: {podCIDR: 10.244.2.0/24}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec: {nodeName: kemu-worker, containers: [{name: web, image: kemu/echo}]}
status:
  podIP: 10.244.1.2
  conditions: [{type: Ready, status: "True"}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.20, selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.244.1.2], conditions: {ready: true}, nodeName: kemu-worker}]
ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-only, namespace: shop}
spec: {podSelector: {matchLabels: {app: web}}}
`);

describe.skipIf(!chromiumPath)('the dashboard in a real browser (Chromium via playwright-core)', () => {
  let store: Store;
  let dashboard: Dashboard;
  let browser: Browser;
  const traffic = new TrafficLog();

  beforeAll(async () => {
    store = createMemoryStore({ backend: new MemoryBackend(), lab: 'dashboard-test' });
    for (const object of objects) await store.create(object);
    dashboard = await startDashboard({
      store,
      traffic,
      metrics: new LabMetrics(),
      port: 0,
      labName: 'test',
      renderRules: (node, mode) => `# ${mode} rules of ${node}\n-A KUBE-SERVICES -j KUBE-NODEPORTS\n`,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await store?.close();
  });

  it('shows nodes, pods, services with endpoints and policies, and follows changes live', async () => {
    const page = await browser.newPage();
    await page.goto(dashboard.url);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('[data-testid="node"]')).toContain('10.244.1.0/24');
    expect(await page.textContent('[data-testid="pod"]')).toContain('shop/web-1 10.244.1.2');
    expect(await page.textContent('[data-testid="service"]')).toContain('10.244.1.2');
    expect(await page.textContent('[data-testid="policy"]')).toContain('shop/web-only');
    await store.create(
      parseManifestsOrThrow(
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web-2, namespace: shop}\nspec: {nodeName: kemu-worker, containers: [{name: web, image: kemu/echo}]}\n',
      )[0]!,
    );
    await page.waitForFunction('document.querySelectorAll(\'[data-testid="pod"]\').length === 2');
    await page.close();
  });

  it('shows a request made while the page is open, and its trace on click', async () => {
    const page = await browser.newPage();
    await page.goto(dashboard.url);
    await page.waitForSelector('body[data-ready="true"]');
    traffic.add({
      time: Date.now(),
      protocol: 'http',
      summary: 'GET shop.test/api/items',
      status: 200,
      durationMs: 3.2,
      bytes: 512,
      service: 'shop/web',
      pod: 'shop/web-1',
      hops: [
        { kind: 'ingress', detail: 'Ingress shop/shop rule shop.test/ → web:80' },
        { kind: 'endpoint', detail: '10.244.1.2:8080 chosen by probability 1.0000000000', node: 'kemu-worker' },
      ],
    });
    await page.waitForSelector('[data-testid="request"]');
    await page.click('[data-testid="request"]');
    const trace = await page.textContent('[data-testid="trace"]');
    expect(trace).toContain('Ingress shop/shop rule shop.test/');
    expect(trace).toContain('on kemu-worker');
    await page.click('#rules-load');
    await page.waitForFunction("document.getElementById('rules').textContent.includes('KUBE-SERVICES')");
    await page.close();
  });

  it('redraws only the box of the node whose pods changed, and nothing of the topology for a request', async () => {
    // With 1,000 pods on the page, redrawing every node box per event is what made live updates slow.
    const page = await browser.newPage();
    await page.goto(dashboard.url);
    await page.waitForSelector('body[data-ready="true"]');
    const mark = "document.querySelectorAll('[data-testid=\"node\"]').forEach((n) => { n.dataset.mark = 'kept'; })";
    const marked =
      '[...document.querySelectorAll(\'[data-testid="node"]\')].map((n) => n.dataset.node + "=" + (n.dataset.mark || "new"))';
    await page.evaluate(mark);
    traffic.add({
      time: Date.now(),
      protocol: 'http',
      summary: 'GET shop.test/redraw',
      status: 200,
      durationMs: 1,
      bytes: 1,
      hops: [],
    });
    await page.waitForSelector('text=GET shop.test/redraw');
    expect(await page.evaluate(marked)).toEqual(['kemu-worker=kept', 'kemu-worker2=kept']);
    const pods = await page.locator('[data-testid="pod"]').count();
    await store.create(
      parseManifestsOrThrow(
        'apiVersion: v1\nkind: Pod\nmetadata: {name: api-1, namespace: shop}\nspec: {nodeName: kemu-worker2, containers: [{name: api, image: kemu/echo}]}\n',
      )[0]!,
    );
    await page.waitForFunction(`document.querySelectorAll('[data-testid="pod"]').length === ${pods + 1}`);
    expect(await page.evaluate(marked)).toEqual(['kemu-worker=kept', 'kemu-worker2=new']);
    await page.close();
  });

  it('exposes Prometheus metrics with the names people know', async () => {
    const text = await (await fetch(`${dashboard.url}/metrics`)).text();
    for (const name of [
      'kubeproxy_sync_proxy_rules_duration_seconds',
      'nginx_ingress_controller_requests',
      'csi_sidecar_operations_seconds',
      'kemu_objects{kind="Pod"}',
    ]) {
      expect(text).toContain(name);
    }
  });
});
