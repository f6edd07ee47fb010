import type { ConfigMap, Node, Pod, Secret, Service, Store } from '@kemu/core';
import { StoreAlreadyExistsError, updateWithRetry } from '@kemu/core';
import type { PodIPAllocator, PodNetwork, VolumeProvider } from '../hooks.js';
import type { InformerFactory } from '../informer.js';
import { type Lease, microTime, nodeLeaseNamespace } from '../lease.js';
import { ignoreNotFound, isoSeconds, isPodTerminal } from '../pods.js';
import type { PodAddressRegistry } from './address-book.js';
import type { BackOffOptions } from './container-slot.js';
import type { ContainerLog } from './logs.js';
import { PodWorker } from './pod-worker.js';

/** Options of a {@link NodeAgent}. */
export interface NodeAgentOptions {
  store: Store;
  informers: InformerFactory;
  nodeName: string;
  allocator: PodIPAllocator;
  network: PodNetwork;
  volumes: VolumeProvider;
  registry: PodAddressRegistry;
  /** How often the Lease is renewed; default 1000 ms. */
  heartbeatMs?: number;
  /** Crash-loop back-off; default 10 s doubling to 5 min. */
  backOff?: BackOffOptions;
  /** Multiplies probe delays and periods (tests: 0.05); default 1. */
  probeTimeScale?: number;
  /** Where container logs are written (`<dir>/<ns>_<pod>_<uid>/<container>/<n>.log`); memory only when unset. */
  logDir?: string;
  /**
   * Bytes of log kept in memory per container instance (current and previous), counted as CRI log
   * file bytes, oldest lines dropped first; default 256 KiB (runtime/logs.ts defaultContainerLogMaxBytes).
   */
  containerLogMaxBytes?: number;
  warn?(message: string): void;
}

/**
 * One node's agent, the kubelet's part of it: renews the node's Lease, keeps the Node Ready, and
 * runs every pod bound to the node with a {@link PodWorker}.
 */
export class NodeAgent {
  readonly nodeName: string;
  private readonly workers = new Map<string, PodWorker>();
  private heartbeat: NodeJS.Timeout | undefined;
  private suspendedFlag = false;
  private closed = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: NodeAgentOptions) {
    this.nodeName = options.nodeName;
  }

  /** Starts heartbeating and running this node's pods. Call before the informers start. */
  start(): void {
    const pods = this.options.informers.for<Pod>('Pod');
    this.options.informers.for<Service>('Service');
    this.options.informers.for<ConfigMap>('ConfigMap');
    this.options.informers.for<Secret>('Secret');
    this.options.informers.for<Node>('Node');
    pods.on((type, pod) => {
      if (pod.spec.nodeName !== this.nodeName || this.closed) return;
      this.onPod(type, pod);
    });
    void this.beat();
    this.heartbeat = setInterval(() => void this.beat(), this.options.heartbeatMs ?? 1000);
    this.heartbeat.unref?.();
  }

  /** Stops heartbeats and status writes, as a hung or partitioned kubelet (pods keep running). */
  suspend(): void {
    this.suspendedFlag = true;
  }

  /** Heartbeats again and rewrites every pod's status. */
  resume(): void {
    this.suspendedFlag = false;
    void this.beat();
    for (const worker of this.workers.values()) worker.resync();
  }

  /** The logs of a pod running here (by container name). */
  logs(namespace: string, name: string): ReadonlyMap<string, ContainerLog> | undefined {
    return this.workers.get(`${namespace}/${name}`)?.logs;
  }

  /** Shuts every pod down with its grace period (pods stay in the store) and stops heartbeating. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await Promise.allSettled([...this.pending]);
    await Promise.all([...this.workers.values()].map((worker) => worker.stop(this.graceOf(worker), false)));
    this.workers.clear();
  }

  private graceOf(worker: PodWorker): number {
    const [namespace, name] = worker.key.split('/') as [string, string];
    const pod = this.options.informers.for<Pod>('Pod').get(namespace, name);
    return pod?.metadata.deletionGracePeriodSeconds ?? pod?.spec.terminationGracePeriodSeconds ?? 30;
  }

  private onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const worker = this.workers.get(key);
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (type === 'DELETED') {
      if (worker) this.track(worker.stop(grace, false).finally(() => this.forget(key, worker)));
      return;
    }
    if (worker && worker.uid !== pod.metadata.uid) {
      // Same name, new pod (a StatefulSet replacement): the old one is gone.
      this.workers.delete(key);
      this.track(worker.stop(0, false));
      this.onPod(type, pod);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      if (worker) this.track(worker.stop(grace, true).finally(() => this.forget(key, worker)));
      else
        this.track(
          ignoreNotFound(
            this.options.store.delete({ kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name }),
          ).then(() => undefined),
        );
      return;
    }
    if (worker) {
      worker.update(pod);
      return;
    }
    if (isPodTerminal(pod)) return;
    const created = new PodWorker(pod, this.workerContext());
    this.workers.set(key, created);
    this.track(
      created.start().catch((error: unknown) => {
        this.warn(`pod ${key} failed to start: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
  }

  private forget(key: string, worker: PodWorker): void {
    if (this.workers.get(key) === worker) this.workers.delete(key);
  }

  private track(promise: Promise<void>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private workerContext() {
    const informers = this.options.informers;
    return {
      store: this.options.store,
      node: () => informers.for<Node>('Node').get(undefined, this.nodeName),
      allocator: this.options.allocator,
      network: this.options.network,
      volumes: this.options.volumes,
      services: (namespace: string) =>
        informers
          .for<Service>('Service')
          .list(
            (s) => s.metadata.namespace === namespace || (s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes'),
          ),
      configMap: (namespace: string, name: string) => informers.for<ConfigMap>('ConfigMap').get(namespace, name),
      secret: (namespace: string, name: string) => informers.for<Secret>('Secret').get(namespace, name),
      register: this.options.registry.register.bind(this.options.registry),
      unregister: this.options.registry.unregister.bind(this.options.registry),
      backOff: this.options.backOff ?? { initialMs: 10_000, maxMs: 300_000 },
      probeTimeScale: this.options.probeTimeScale ?? 1,
      logDir: this.options.logDir,
      containerLogMaxBytes: this.options.containerLogMaxBytes,
      suspended: () => this.suspendedFlag || this.closed,
      warn: (message: string) => this.warn(message),
    };
  }

  private warn(message: string): void {
    this.options.warn?.(message);
  }

  /** Renews the Lease and keeps the Node's Ready condition True (kubelet nodelease + node status). */
  private async beat(): Promise<void> {
    if (this.suspendedFlag || this.closed) return;
    const store = this.options.store;
    const now = new Date();
    const key = { kind: 'Lease', namespace: nodeLeaseNamespace, name: this.nodeName };
    try {
      const existing = await store.get<Lease>(key);
      if (existing) {
        existing.spec.renewTime = microTime(now);
        existing.spec.holderIdentity = this.nodeName;
        await store.update(existing);
      } else {
        const lease: Lease = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.nodeName, namespace: nodeLeaseNamespace },
          spec: {
            holderIdentity: this.nodeName,
            leaseDurationSeconds: 40,
            renewTime: microTime(now),
            acquireTime: microTime(now),
          },
        };
        await store.create(lease).catch((error: unknown) => {
          if (!(error instanceof StoreAlreadyExistsError)) throw error;
        });
      }
      const node = this.options.informers.for<Node>('Node').get(undefined, this.nodeName);
      const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
      if (node && ready?.status !== 'True') await this.postReady(now);
    } catch (error) {
      if (!this.closed)
        this.warn(`node ${this.nodeName}: heartbeat failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async postReady(now: Date): Promise<void> {
    await updateWithRetry<Node>(this.options.store, { kind: 'Node', name: this.nodeName }, (node) => {
      node.status ??= {};
      node.status.conditions ??= [];
      const conditions = node.status.conditions;
      const ready = {
        type: 'Ready',
        status: 'True' as const,
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: isoSeconds(now),
        lastTransitionTime: isoSeconds(now),
      };
      const index = conditions.findIndex((c) => c.type === 'Ready');
      if (index >= 0) conditions[index] = ready;
      else conditions.push(ready);
      return node;
    });
  }
}
