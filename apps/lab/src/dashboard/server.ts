import type { KubernetesObject, Store } from '@kemu/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildTopology, toSvg } from '../graph/index.js';
import type { LabMetrics } from './metrics.js';
import { dashboardPage } from './page.js';
import { pageView } from './page-view.js';
import type { TrafficLog } from './traffic-log.js';

/** The kinds the dashboard shows. */
export const dashboardKinds = [
  'Node',
  'Pod',
  'Service',
  'EndpointSlice',
  'Ingress',
  'HTTPRoute',
  'Gateway',
  'NetworkPolicy',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'VolumeAttachment',
  'Deployment',
  'StatefulSet',
  'StorageClass',
] as const;

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  store: Store;
  traffic: TrafficLog;
  metrics: LabMetrics;
  labName?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7070; 0 picks a free port. */
  port?: number;
  /** The rules a node would program (kube-proxy's renderers), for the rules panel. */
  renderRules?: (node: string, mode: 'iptables' | 'nftables' | 'ipvs') => Promise<string> | string;
}

/** A running dashboard. */
export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

async function snapshot(store: Store): Promise<{ objects: KubernetesObject[]; resourceVersion: string }> {
  const objects: KubernetesObject[] = [];
  let resourceVersion = '0';
  for (const kind of dashboardKinds) {
    const list = await store.list(kind);
    objects.push(...list.items);
    if (BigInt(list.resourceVersion) > BigInt(resourceVersion)) resourceVersion = list.resourceVersion;
  }
  return { objects, resourceVersion };
}

/** Builds the dashboard's routes on a fastify instance (so tests can `inject` without a socket). */
export function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): void {
  const { store, traffic, metrics } = options;
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(dashboardPage(options.labName ?? 'lab')));
  app.get('/metrics', async (_request, reply) => {
    for (const kind of dashboardKinds) metrics.objects.set({ kind }, (await store.list(kind)).items.length);
    return reply.type(metrics.registry.contentType).send(await metrics.exposition());
  });
  // ?view=page: objects trimmed to what the page draws (page-view.ts); without it, whole objects (`kemu graph --lab`).
  app.get<{ Querystring: { view?: string } }>('/kemu/v1/state', async (request) => {
    const state = await snapshot(store);
    const objects = request.query.view === 'page' ? state.objects.map(pageView) : state.objects;
    return { objects, resourceVersion: state.resourceVersion, traffic: traffic.recent(200) };
  });
  app.get('/kemu/v1/graph.svg', async (_request, reply) =>
    reply.type('image/svg+xml').send(toSvg(buildTopology((await snapshot(store)).objects))),
  );
  app.get('/kemu/v1/rates', async () => traffic.rates(Date.now()));
  app.get<{ Params: { id: string } }>('/kemu/v1/traffic/:id', async (request, reply) => {
    const record = traffic.get(request.params.id);
    return record ?? reply.code(404).send({ message: `no request ${request.params.id} in the traffic log` });
  });
  app.get<{ Querystring: { node?: string; mode?: string } }>('/kemu/v1/rules', async (request, reply) => {
    const mode = request.query.mode ?? 'iptables';
    if (mode !== 'iptables' && mode !== 'nftables' && mode !== 'ipvs')
      return reply.code(400).send(`mode must be iptables, nftables or ipvs, not "${mode}"\n`);
    if (!request.query.node) return reply.code(400).send('node is required\n');
    if (!options.renderRules) return reply.code(501).send('this lab has no service proxy to render rules\n');
    return reply.type('text/plain').send(await options.renderRules(request.query.node, mode));
  });
  app.get<{ Querystring: { resourceVersion?: string; trafficAfter?: string; view?: string } }>(
    '/kemu/v1/events',
    (request, reply) => {
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      out.write(': kemu dashboard events\n\n');
      const send = (event: string, data: unknown) => out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const kinds = new Set<string>(dashboardKinds);
      const view = request.query.view;
      const watch = store.watch(request.query.resourceVersion ? { resourceVersion: request.query.resourceVersion } : {});
      const unsubscribe = traffic.subscribe((record) => send('traffic', record));
      // The page read the traffic log in its snapshot, then opened this stream: replay what came in
      // between (subscribing and replaying in one tick leaves no gap), as the watch does from resourceVersion.
      const after = request.query.trafficAfter;
      if (after !== undefined) for (const record of traffic.after(after)) send('traffic', record);
      const stop = () => {
        watch.close();
        unsubscribe();
      };
      request.raw.on('close', stop);
      (async () => {
        try {
          for await (const event of watch) {
            if (!kinds.has(event.object.kind)) continue;
            send('object', view === 'page' ? { type: event.type, object: pageView(event.object) } : event);
          }
        } catch (error) {
          send('error', { message: (error as Error).message });
        } finally {
          unsubscribe();
          out.end();
        }
      })();
    },
  );
}

/**
 * Serves the dashboard (default http://127.0.0.1:7070): the page, its live event stream, the
 * topology picture, the rules of a node and Prometheus metrics on `/metrics`.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  dashboardRoutes(app, options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 7070 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close: () => app.close() };
}
