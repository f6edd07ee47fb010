// Dashboard: time to first render with 1,000 pods (issue 8). A 50-node lab with 10 Deployments of 100
// kemu/echo pods each, wired end to end (startFullLab); headless Chromium (playwright-core) loads the
// page until the topology shows all 1,000 pods. Printed beside a 1 s budget, with the page's own marks
// (state parsed, first render) and the size of what the page loads first.
import http from 'node:http';
import os from 'node:os';
import { parseManifestsOrThrow } from '@kemu/core';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from '../src/dashboard/chromium.js';
import { type FullLab, startFullLab } from '../src/wiring/full-lab.js';

const nodes = 50;
const deployments = 10;
const replicas = 100;
const pods = deployments * replicas;
const warmLoads = 5;
/** A budget for a page that should feel immediate: RAIL's 1 s to respond to a navigation. */
const budgetMs = 1000;

function manifests(): string {
  const docs = [
    'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec: {controller: k8s.io/ingress-nginx}',
    `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  ingressClassName: nginx
  rules: [{host: shop.test, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web-0, port: {number: 80}}}}]}}]`,
  ];
  for (let i = 0; i < deployments; i++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web-${i}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web-${i}}}
  template:
    metadata: {labels: {app: web-${i}}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: echo, image: kemu/echo, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web-${i}}
spec: {selector: {app: web-${i}}, ports: [{port: 80, targetPort: 8080}]}`);
  }
  return docs.join('\n---\n');
}

interface Load {
  /** From `page.goto` until the topology shows every pod, as the browser's driver sees it. */
  ms: number;
  /** In the page, from navigation start: the state fetched and parsed, the first render done (page.ts's marks). */
  stateMs: number;
  renderMs: number;
  page: Page;
}

// A string, not a function: tsx would wrap a function's inner arrows in a helper the page lacks.
const marks = `[...['kemu:state', 'kemu:render']].map((name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN)`;

async function load(browser: Browser, url: string): Promise<Load> {
  const page = await browser.newPage();
  const started = performance.now();
  await page.goto(url);
  await page.waitForSelector(`#nodes[data-pods="${pods}"]`, { timeout: 60_000 });
  const ms = performance.now() - started;
  const [stateMs, renderMs] = (await page.evaluate(marks)) as [number, number];
  return { ms, stateMs, renderMs, page };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function get(base: string, path: string, host: string): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    http
      .get({ host: url.hostname, port: url.port, path, headers: { host } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

async function measure(full: FullLab, browser: Browser): Promise<void> {
  const url = full.dashboard!.url;
  const html = Buffer.byteLength(await (await fetch(url)).text());
  const state = Buffer.byteLength(await (await fetch(`${url}/kemu/v1/state?view=page`)).text());
  const whole = Buffer.byteLength(await (await fetch(`${url}/kemu/v1/state`)).text());
  const cold = await load(browser, url);
  await cold.page.close();
  const loads: Load[] = [];
  for (let i = 0; i < warmLoads; i++) {
    const run = await load(browser, url);
    loads.push(run);
    if (i < warmLoads - 1) await run.page.close();
  }
  const first = median(loads.map((l) => l.ms));
  console.log(
    `dashboard first render, ${nodes} nodes / ${pods} pods: ${first.toFixed(0)} ms median of ${warmLoads} ` +
      `(first load in a fresh browser ${cold.ms.toFixed(0)} ms) from page.goto to all pods shown ` +
      `(budget ${budgetMs} ms, ratio ${(first / budgetMs).toFixed(2)}); in the page: state parsed at ` +
      `${median(loads.map((l) => l.stateMs)).toFixed(0)} ms, rendered at ${median(loads.map((l) => l.renderMs)).toFixed(0)} ms ` +
      `after navigation start; initial payload ${kib(html + state)} (page ${kib(html)} + state ${kib(state)}; ` +
      `whole objects would be ${kib(whole)}, ${(whole / state).toFixed(1)}x); load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`,
  );
  // Live view with 1,000 pods on the page: a real request through the ingress until its row shows.
  const page = loads.at(-1)!.page;
  const sent = performance.now();
  const status = await get(full.ingress.url!, '/bench', 'shop.test');
  const answered = performance.now();
  await page.waitForSelector('[data-testid="request"]');
  const shown = performance.now();
  console.log(
    `dashboard live traffic with ${pods} pods shown: request answered (${status}) in ${(answered - sent).toFixed(0)} ms, ` +
      `its row shown ${(shown - answered).toFixed(0)} ms later`,
  );
  await page.close();
}

/** Prints the dashboard's time to first render with 1,000 pods, or why it was skipped. */
export async function runDashboardRenderBench(): Promise<void> {
  if (!chromiumPath) {
    console.log('dashboard first render: skipped, Chromium is not installed (apt-get install chromium)');
    return;
  }
  const full = await startFullLab({
    nodes,
    objects: parseManifestsOrThrow(manifests(), { file: 'dashboard-render.bench' }),
    api: false,
    ingressPort: 0,
    dashboardPort: 0,
  });
  let browser: Browser | undefined;
  try {
    await full.lab.ready(60_000);
    await full.ingress.settled();
    browser = await launchChromium();
    await measure(full, browser);
  } finally {
    await browser?.close();
    await full.close();
  }
}
