// The dashboard server's page-facing endpoints: trimmed objects for the page, and no request lost
// between the page's snapshot and its event stream.
import { createMemoryStore, MemoryBackend, parseManifestsOrThrow, type Store } from '@kemu/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { LabMetrics } from './metrics.js';
import { type Dashboard, dashboardRoutes, startDashboard } from './server.js';
import { TrafficLog } from './traffic-log.js';

const [pod] = parseManifestsOrThrow(`
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, annotations: {note: long}}
spec: {nodeName: kemu-worker, containers: [{name: web, image: kemu/echo}]}
status: {podIP: 10.244.1.2, conditions: [{type: Ready, status: "True"}]}
`);
const record = (summary: string) => ({ time: 0, protocol: 'http', summary, status: 200, durationMs: 0, bytes: 0, hops: [] });

let store: Store;
let traffic: TrafficLog;
let app: FastifyInstance | undefined;
let dashboard: Dashboard | undefined;

beforeEach(async () => {
  store = createMemoryStore({ backend: new MemoryBackend(), lab: 'server-test' });
  await store.create(pod!);
  traffic = new TrafficLog();
});

afterEach(async () => {
  await app?.close();
  await dashboard?.close();
  await store.close();
  app = dashboard = undefined;
});

it('serves whole objects on /kemu/v1/state, and the page view with ?view=page', async () => {
  app = Fastify();
  dashboardRoutes(app, { store, traffic, metrics: new LabMetrics() });
  const whole = (await app.inject('/kemu/v1/state')).json();
  expect(whole.objects[0].spec.containers).toHaveLength(1);
  const page = (await app.inject('/kemu/v1/state?view=page')).json();
  expect(page.objects[0]).toEqual({
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop' },
    spec: { nodeName: 'kemu-worker' },
    status: { podIP: '10.244.1.2', conditions: [{ type: 'Ready', status: 'True' }] },
  });
});

it('replays on the event stream the requests logged after the snapshot the page read', async () => {
  // The page reads /kemu/v1/state, then opens the stream: a request logged in between must still reach it.
  dashboard = await startDashboard({ store, traffic, metrics: new LabMetrics(), port: 0 });
  const seen = traffic.add(record('GET shop.test/seen'));
  traffic.add(record('GET shop.test/missed'));
  const controller = new AbortController();
  const response = await fetch(`${dashboard.url}/kemu/v1/events?trafficAfter=${seen.id}`, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const readUntil = async (needle: string) => {
    while (!text.includes(needle)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before ${needle}`);
      text += value;
    }
  };
  await readUntil('shop.test/missed');
  traffic.add(record('GET shop.test/live'));
  await readUntil('shop.test/live');
  controller.abort();
  const summaries = [...text.matchAll(/"summary":"([^"]+)"/g)].map((m) => m[1]);
  expect(summaries).toEqual(['GET shop.test/missed', 'GET shop.test/live']);
});
