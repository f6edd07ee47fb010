import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  createMemoryStore,
  type KubernetesObject,
  keyOf,
  MemoryBackend,
  type Node,
  type ObjectKey,
  type Pod,
  parseManifestsOrThrow,
  type Store,
  updateWithRetry,
} from '@kemu/core';
import { Admission, type AdmissionOptions } from './admission.js';
import { LabApiServer } from './api/server.js';
import { applyTo, withLastApplied } from './apply.js';
import type { Controller } from './controllers/controller.js';
import {
  DeploymentController,
  EndpointSliceController,
  GarbageCollector,
  NodeLifecycleController,
  ReplicaSetController,
  Scheduler,
  ServiceLoadBalancerController,
  StatefulSetController,
} from './controllers/index.js';
import { KubeletLogsError, LabNotReadyError, LabNotStartedError, NoSuchNodeError } from './errors.js';
import type { EntryPoint, LabAddon, LabContext, PodAddressBook, PodIPAllocator, PodNetwork, VolumeProvider } from './hooks.js';
import { InformerFactory } from './informer.js';
import { ensureKubeletCredentials } from './kubelet-credentials.js';
import { completeNodes, labNode } from './nodes.js';
import type { PodLogOptions } from './pod-log-options.js';
import { deletePodGracefully, ignoreNotFound } from './pods.js';
import { notReady } from './readiness.js';
import { kubeletLogs } from './remote-logs.js';
import { PodAddressRegistry } from './runtime/address-book.js';
import type { BackOffOptions } from './runtime/container-slot.js';
import { loopbackNetwork } from './runtime/index.js';
import { NodeCIDRAllocator } from './runtime/ip-allocator.js';
import { NodeAgent } from './runtime/node-agent.js';
import { openContainerLog, readContainerLog } from './runtime/open-container-log.js';
import { LabAddressBook, type PodIdentity } from './runtime/published-addresses.js';
import { DirectoryVolumes } from './runtime/volumes.js';

/** Options of a {@link Lab}. */
export interface LabOptions {
  /** The store; a fresh memory store when omitted (closed with the lab). */
  store?: Store;
  /** How many worker nodes (default 1), or the Node objects to run. */
  nodes?: number | readonly Node[];
  /** The API server: `false` for none; default 127.0.0.1 on a free port. */
  api?: false | { host?: string; port?: number; token?: string };
  /** node-monitor-grace-period; default 5000 ms. */
  nodeMonitorGraceMs?: number;
  /** Lease renew interval of node agents; default 1000 ms. */
  heartbeatMs?: number;
  /** Crash-loop back-off; default 10 s doubling to 5 min. */
  backOff?: BackOffOptions;
  /** Multiplies probe periods and delays; default 1. */
  probeTimeScale?: number;
  /** Where volumes and logs live; a temporary directory (removed on close) when omitted. */
  dataDir?: string;
  /** Pod IPs; default: per node from its podCIDR (@kemu/cni IPAM plugs in here). */
  allocator?: PodIPAllocator;
  /** The pod network of each node; default: none (@kemu/cni's agent plugs in here). */
  network?: (node: string) => PodNetwork;
  /** Volumes; default: directories under dataDir (@kemu/csi plugs in here). */
  volumes?: VolumeProvider;
  /**
   * Run a node agent (pods, heartbeats) per node in this process (default). `false` runs only the
   * control plane: nodes and their pods come from `kemu agent` processes sharing the store.
   */
  agents?: boolean;
  /** Service proxy, ingress, CSI controllers…: started after the controllers. */
  addons?: readonly LabAddon[];
  /** Service CIDR and node-port range of the API server. */
  admission?: AdmissionOptions;
  /** Where the lab reports what happens (warnings, node state); default: nowhere. */
  log?(message: string): void;
}

/**
 * A whole lab in one process: the store, the control loops (scheduler, Deployment, ReplicaSet,
 * StatefulSet, EndpointSlice, node lifecycle, garbage collector), one node agent per node running
 * pods on loopback, the API server, and the addons where the emulators plug in.
 *
 * @example
 * const lab = new Lab({ nodes: 3 });
 * await lab.start();
 * await lab.apply(yamlText);
 * // … lab.pods.resolve(podIP, 8080) gives the real 127.0.0.1 port …
 * await lab.close();
 */
export class Lab {
  readonly store: Store;
  readonly informers: InformerFactory;
  readonly admission: Admission;
  /** The real ports of every running pod: this process's, and those other processes' agents publish. */
  readonly pods: PodAddressBook;
  private readonly registry = new PodAddressRegistry();
  private readonly addresses = new LabAddressBook(this.registry);
  private readonly agents = new Map<string, NodeAgent>();
  private readonly controllers: Controller[] = [];
  private readonly nodeObjects: Node[];
  private readonly ownsStore: boolean;
  private readonly dataDir: string;
  private readonly ownsDataDir: boolean;
  private api: LabApiServer | undefined;
  /** Nodes given a pod CIDR by this lab, kept so two joining at once never get the same one. */
  private readonly completing = new Map<string, Node>();
  private state: 'new' | 'running' | 'closed' = 'new';

  constructor(private readonly options: LabOptions = {}) {
    this.ownsStore = !options.store;
    // Its own backend: a closed lab's memory is freed with it.
    this.store = options.store ?? createMemoryStore({ backend: new MemoryBackend() });
    this.informers = new InformerFactory(this.store);
    this.admission = new Admission(this.store, options.admission);
    this.pods = this.addresses;
    const nodes = options.nodes ?? 1;
    this.nodeObjects = typeof nodes === 'number' ? Array.from({ length: nodes }, (_, i) => labNode(i)) : completeNodes(nodes);
    this.ownsDataDir = !options.dataDir;
    this.dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-lab-'));
  }

  /** The pod that has a (virtual) pod IP: its namespace, name and node. */
  podAt(podIP: string): PodIdentity | undefined {
    return this.addresses.podAt(podIP);
  }

  /** Node names, in order. */
  get nodes(): string[] {
    return [...new Set([...this.nodeObjects.map((n) => n.metadata.name), ...this.agents.keys()])];
  }

  /** The API server's base URL (empty when the API is disabled). */
  get apiURL(): string {
    return this.api?.url ?? '';
  }

  /** The API server's bearer token, when it needs one. */
  get apiToken(): string | undefined {
    return this.api?.token;
  }

  /** Starts everything; resolves when the controllers' caches are synced and the API listens. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new LabNotStartedError('start() called twice');
    this.state = 'running';
    const log = (message: string) => this.options.log?.(message);
    for (const node of this.nodeObjects) {
      const existing = await this.store.get<Node>({ kind: 'Node', name: node.metadata.name });
      if (!existing) await this.store.create(node);
    }
    await ensureKubeletCredentials(this.store);
    const ctx = { store: this.store, informers: this.informers, log };
    this.controllers.push(
      new Scheduler(ctx),
      new ReplicaSetController(ctx),
      new DeploymentController(ctx),
      new StatefulSetController(ctx),
      new EndpointSliceController(ctx),
      new NodeLifecycleController(ctx, this.options.nodeMonitorGraceMs ?? 5000),
      new GarbageCollector(ctx),
      new ServiceLoadBalancerController(ctx),
    );
    for (const controller of this.controllers) controller.start();
    const allocator = this.options.allocator ?? new NodeCIDRAllocator(this.store);
    const volumes =
      this.options.volumes ??
      new DirectoryVolumes(path.join(this.dataDir, 'volumes'), {
        configMap: (ns, name) => this.informers.for<never>('ConfigMap').get(ns, name),
        secret: (ns, name) => this.informers.for<never>('Secret').get(ns, name),
      });
    const startAgent = (node: string) => {
      const agent = new NodeAgent({
        store: this.store,
        informers: this.informers,
        nodeName: node,
        allocator,
        network: this.options.network?.(node) ?? loopbackNetwork,
        volumes,
        registry: this.registry,
        heartbeatMs: this.options.heartbeatMs,
        backOff: this.options.backOff,
        probeTimeScale: this.options.probeTimeScale,
        logDir: path.join(this.dataDir, 'logs'),
        warn: log,
      });
      agent.start();
      this.agents.set(node, agent);
    };
    const runAgents = this.options.agents !== false;
    if (runAgents) for (const node of this.nodes) startAgent(node);
    const joining = new Set<string>();
    // A Node applied later (or registered by a `kemu agent`) joins the lab: it gets a pod CIDR and
    // address (nodeipam), and an agent here unless agents run as their own processes.
    this.informers.for<Node>('Node').on((type, node) => {
      const name = node.metadata.name;
      if (type !== 'ADDED' || this.agents.has(name) || joining.has(name) || this.state !== 'running') return;
      joining.add(name);
      void this.completeNode(node)
        .then(() => {
          if (this.state === 'running' && runAgents) startAgent(name);
        })
        .catch((error: unknown) => log(`node ${name}: ${error instanceof Error ? error.message : String(error)}`));
    });
    this.addresses.follow(this.informers);
    await this.informers.start();
    if (this.options.api !== false) {
      this.api = new LabApiServer({
        store: this.store,
        admission: this.admission,
        logs: (pod, container, options) => this.openLog(pod, container, options),
        remoteLogs: kubeletLogs(this.informers),
        ...(this.options.api ?? {}),
      });
      await this.api.start();
    }
    const context: LabContext = { store: this.store, informers: this.informers, pods: this.addresses, nodes: this.nodes, log };
    for (const addon of this.options.addons ?? []) await addon.start(context);
  }

  /** Gives a node that joined later what the lab's own nodes have (pod CIDR, InternalIP). */
  private async completeNode(node: Node): Promise<void> {
    // Nodes completed a moment ago may not be in the cache yet (agents registering together).
    const others = new Map(this.completing);
    for (const n of this.informers.for<Node>('Node').list()) if (n.spec?.podCIDR) others.set(n.metadata.name, n);
    others.delete(node.metadata.name);
    const [completed] = completeNodes([...others.values(), node]).slice(-1);
    this.completing.set(node.metadata.name, completed!);
    if (JSON.stringify(completed) === JSON.stringify(node)) return;
    await updateWithRetry<Node>(this.store, { kind: 'Node', name: node.metadata.name }, (current) => {
      if (current.spec?.podCIDR && current.status?.addresses?.some((a) => a.type === 'InternalIP')) return undefined;
      current.spec = { ...current.spec, podCIDR: completed!.spec?.podCIDR, podCIDRs: completed!.spec?.podCIDRs };
      current.status = { ...current.status, addresses: completed!.status?.addresses };
      return current;
    });
  }

  /** Entry points to print: the API and whatever the addons expose. */
  entryPoints(): EntryPoint[] {
    const points: EntryPoint[] = this.api ? [{ name: 'API', url: this.api.url }] : [];
    for (const addon of this.options.addons ?? []) points.push(...(addon.entryPoints?.() ?? []));
    return points;
  }

  /** The node agent of `node` (to suspend its heartbeats in a test, or read logs). */
  agent(node: string): NodeAgent {
    const agent = this.agents.get(node);
    if (!agent) throw new NoSuchNodeError(node);
    return agent;
  }

  /**
   * Creates or updates objects as `kubectl apply` would (YAML text or objects): defaults and
   * admission on create; on update the spec is replaced and status and allocations kept.
   */
  async apply(input: string | readonly KubernetesObject[]): Promise<KubernetesObject[]> {
    this.checkRunning('apply');
    const objects = typeof input === 'string' ? parseManifestsOrThrow(input) : input;
    const results: KubernetesObject[] = [];
    for (const object of objects) {
      const current = await this.store.get(keyOf(object));
      if (!current) {
        results.push(await this.store.create(await this.admission.admit(withLastApplied(object))));
        continue;
      }
      const next = await this.admission.admit(applyTo(current, object), current);
      results.push(JSON.stringify(next) === JSON.stringify(current) ? current : await this.store.update(next));
    }
    return results;
  }

  /** Deletes objects (pods gracefully, as the API server does); missing ones are ignored. */
  async delete(input: string | readonly (KubernetesObject | ObjectKey)[]): Promise<void> {
    this.checkRunning('delete');
    const items = typeof input === 'string' ? parseManifestsOrThrow(input) : input;
    for (const item of items) {
      const key = 'metadata' in item ? keyOf(item) : item;
      const current = await this.store.get(key);
      if (!current) continue;
      if (current.kind === 'Pod') await deletePodGracefully(this.store, current as Pod);
      else {
        await ignoreNotFound(this.store.delete(key));
        await this.admission.release(current);
      }
    }
  }

  /**
   * A pod's log as text, as `kemu logs` reads it (`container`, `previous`, `tailLines`,
   * `sinceSeconds`, `timestamps`…), every container's in spec order when no container is named;
   * undefined when the pod does not run here or has no such log (unknown container, no previous
   * instance, not started yet).
   */
  logs(namespace: string, pod: string, options: PodLogOptions = {}): string | undefined {
    const agent = this.agentOf(namespace, pod);
    const { container, ...request } = options;
    const containers = container ? [container] : [...(agent?.logs(namespace, pod)?.keys() ?? [])];
    if (!agent || containers.length === 0) return undefined;
    try {
      return containers.map((name) => readContainerLog(agent, namespace, pod, name, request)).join('');
    } catch (error) {
      if (error instanceof KubeletLogsError) return undefined;
      throw error;
    }
  }

  /** pods/log for a pod whose node runs in this process: the kubelet's stream, or undefined for another node's pod. */
  private openLog(pod: Pod, container: string, options: PodLogOptions): Readable | undefined {
    const { namespace = 'default', name } = pod.metadata;
    const agent = pod.spec.nodeName ? this.agents.get(pod.spec.nodeName) : undefined;
    return agent ? openContainerLog(agent, namespace, name, container, options) : undefined;
  }

  /** The agent of the node a pod is bound to, when it runs in this process. */
  private agentOf(namespace: string, pod: string): NodeAgent | undefined {
    const nodeName = this.informers.for<Pod>('Pod').get(namespace, pod)?.spec.nodeName;
    return nodeName ? this.agents.get(nodeName) : undefined;
  }

  /**
   * Resolves when the lab has converged: every Deployment and StatefulSet has its replicas ready,
   * and every live pod is Ready. Rejects after `timeoutMs` naming what is not ready.
   */
  async ready(timeoutMs = 30_000): Promise<void> {
    this.checkRunning('ready');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waiting = notReady(this.informers);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) throw new LabNotReadyError(waiting);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Waits until every controller has nothing queued (useful in tests after apply). */
  async settled(): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.idle()));
  }

  /** Stops addons, the API, every pod (SIGTERM and its grace period) and the control loops. */
  async close(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'closed';
      return;
    }
    this.state = 'closed';
    for (const addon of [...(this.options.addons ?? [])].reverse()) await addon.close().catch(() => undefined);
    await this.api?.close();
    for (const controller of this.controllers) controller.close();
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
    await Promise.all(this.controllers.map((c) => c.close()));
    await this.informers.close();
    if (this.ownsStore) await this.store.close();
    if (this.ownsDataDir) await fs.promises.rm(this.dataDir, { recursive: true, force: true });
  }

  /** Async disposal: `await using lab = …`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private checkRunning(what: string): void {
    if (this.state !== 'running') throw new LabNotStartedError(what);
  }
}
