import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMemoryStore, type KubernetesObject, MemoryBackend, type Node, type Store } from '@kemu/core';
import { LabMetrics } from '../dashboard/metrics.js';
import { type Dashboard, startDashboard } from '../dashboard/server.js';
import { TrafficLog } from '../dashboard/traffic-log.js';
import { Lab } from '../lab/lab.js';
import { createPodNetwork, type LabPodNetwork } from './cni.js';
import { createCsiVolumes } from './csi.js';
import { createIngress, type LabIngress } from './ingress.js';
import { createServiceProxy, type ServiceProxy } from './service-proxy.js';

/** Options of {@link startFullLab}. */
export interface FullLabOptions {
  /** Worker nodes when `objects` define none; default 1. */
  nodes?: number;
  /** Manifests to apply once the lab runs (Node objects become the lab's nodes). */
  objects?: readonly KubernetesObject[];
  store?: Store;
  /** API server: false for none; default 127.0.0.1 on a free port. */
  api?: false | { host?: string; port?: number; token?: string };
  /** Ingress HTTP port on 127.0.0.1 (0: any free port); default 8080. */
  ingressPort?: number;
  /** Dashboard port on 127.0.0.1 (0: any free port); false for none; default 7070. */
  dashboardPort?: number | false;
  /** Cluster DNS port on 127.0.0.1; default any free port. */
  dnsPort?: number;
  /** node-monitor-grace-period in ms; default 5000. */
  nodeMonitorGraceMs?: number;
  log?(message: string): void;
}

/** A lab with every emulator wired in: CSI volumes, the service proxy and DNS, the ingress, the dashboard. */
export interface FullLab {
  lab: Lab;
  ingress: LabIngress;
  serviceProxy: ServiceProxy;
  /** The pod network (@kemu/cni IPAM and node agents). */
  podNetwork: LabPodNetwork;
  traffic: TrafficLog;
  metrics: LabMetrics;
  dashboard: Dashboard | undefined;
  close(): Promise<void>;
}

/**
 * Starts a lab wired end to end — pods on loopback, @kemu/csi behind their volumes,
 * @kemu/kube-proxy for NodePorts, ClusterIP egress and DNS, @kemu/ingress in front — and applies
 * `objects`. What `kemu up` runs and what `kemu/testing`'s `createLab` wraps.
 */
export async function startFullLab(options: FullLabOptions = {}): Promise<FullLab> {
  const objects = options.objects ?? [];
  const nodes = objects.filter((o): o is Node => o.kind === 'Node');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-lab-'));
  const traffic = new TrafficLog();
  const metrics = new LabMetrics();
  traffic.subscribe((record) => metrics.observeTraffic(record));
  const csi = createCsiVolumes({ dataDir });
  const serviceProxy = createServiceProxy({ dnsPort: options.dnsPort });
  // IPAM needs the store before the lab exists: make the lab's own memory store here when none is given.
  const store = options.store ?? createMemoryStore({ backend: new MemoryBackend() });
  const podNetwork = createPodNetwork({ store });
  const ingress = createIngress({
    port: options.ingressPort ?? 8080,
    onAnswer: (answer, request) => {
      const outcome = answer.outcome;
      const backend = outcome.type === 'backend' ? `${outcome.backend.namespace}/${outcome.backend.service}` : undefined;
      const host = request.host.replace(/:\d+$/, '');
      const labels = {
        ingress: answer.route ? `${answer.route.namespace}/${answer.route.name}` : '',
        namespace: answer.route?.namespace ?? '',
        service: backend ?? '',
        host,
        method: request.method ?? 'GET',
      };
      const status = outcome.type === 'status' ? outcome.status : 200;
      metrics.ingressRequests.inc({
        ...labels,
        controller_class: 'k8s.io/ingress-nginx',
        path: request.path.split('?')[0] ?? '/',
        status: String(status),
        canary: outcome.type === 'backend' && outcome.canary ? 'true' : '',
      });
      traffic.add({
        time: Date.now(),
        protocol: 'http',
        summary: `${request.method ?? 'GET'} ${host}${request.path}`,
        status,
        durationMs: 0,
        bytes: 0,
        ...(backend ? { service: backend } : {}),
        hops: [
          {
            kind: answer.route?.kind ?? 'ingress',
            detail: answer.route ? `${answer.route.namespace}/${answer.route.name} ${answer.route.rule}` : answer.reason,
          },
          ...(outcome.type === 'backend'
            ? [{ kind: 'service', detail: `${backend}:${outcome.backend.port} → ${outcome.upstreamPath}` }]
            : [{ kind: 'status', detail: `${outcome.status} ${answer.message}` }]),
        ],
      });
    },
  });
  const lab = new Lab({
    store,
    nodes: nodes.length > 0 ? nodes : (options.nodes ?? 1),
    api: options.api,
    dataDir,
    volumes: csi.volumes,
    allocator: podNetwork.allocator,
    network: podNetwork.network,
    addons: [podNetwork.addon, csi.addon, serviceProxy.addon, ingress.addon],
    nodeMonitorGraceMs: options.nodeMonitorGraceMs,
    log: options.log,
  });
  await lab.start();
  try {
    await lab.apply(objects.filter((o) => o.kind !== 'Node'));
  } catch (error) {
    await lab.close();
    if (!options.store) await store.close();
    throw error;
  }
  const dashboard =
    options.dashboardPort === false
      ? undefined
      : await startDashboard({
          store: lab.store,
          traffic,
          metrics,
          port: options.dashboardPort ?? 7070,
          renderRules: (node, mode) => serviceProxy.renderRules(node, mode),
        });
  return {
    lab,
    ingress,
    serviceProxy,
    podNetwork,
    traffic,
    metrics,
    dashboard,
    async close() {
      await dashboard?.close();
      await lab.close();
      if (!options.store) await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
