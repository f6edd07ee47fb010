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
import { recordIngressTraffic } from './ingress-traffic.js';
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
  /**
   * Run node agents in this process (default true). `false`: the control plane only — nodes, pods
   * and CSI node plugins come from `kemu agent` processes sharing the (Redis) store.
   */
  agents?: boolean;
  /** Volumes and logs (shared with the lab's `kemu agent` processes); a temporary folder, removed on close, when omitted. */
  dataDir?: string;
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
  const agents = options.agents !== false;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-lab-'));
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const traffic = new TrafficLog();
  const metrics = new LabMetrics();
  traffic.subscribe((record) => metrics.observeTraffic(record));
  const csi = createCsiVolumes({ dataDir, ...(agents ? {} : { nodes: [] }) });
  // IPAM needs the store before the lab exists: make the lab's own memory store here when none is given.
  const store = options.store ?? createMemoryStore({ backend: new MemoryBackend() });
  const podNetwork = createPodNetwork({ store, agentsForLabNodes: agents, hostGateway: true });
  // The ingress and NodePorts reach pods over the overlay, from the host's own node agent.
  const gateway = podNetwork.gateway;
  const serviceProxy = createServiceProxy({
    dnsPort: options.dnsPort,
    reach: (podIP, port, protocol) =>
      protocol === 'UDP' ? gateway?.udpAddressFor(podIP, port) : gateway?.addressFor('nodePort', podIP, port),
  });
  const ingress = createIngress({
    port: options.ingressPort ?? 8080,
    reach: (podIP, port) => gateway?.addressFor('ingress', podIP, port),
    // `lab` exists by the time a request completes: the ingress starts with it.
    onComplete: recordIngressTraffic(metrics, traffic, (podIP) => lab.podAt(podIP)),
  });
  const lab = new Lab({
    store,
    nodes: nodes.length > 0 || !agents ? nodes : (options.nodes ?? 1),
    agents,
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
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
