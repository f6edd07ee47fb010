import path from 'node:path';
import type { ConfigMap, Container, Node, Pod, Secret, Service, Store } from '@kemu/core';
import { StoreConflictError, StoreNotFoundError, updateWithRetry } from '@kemu/core';
import type { PodIPAllocator, PodNetwork, PodPortBinding, VolumeProvider } from '../hooks.js';
import { ignoreNotFound, isoSeconds, podCondition, setPodCondition } from '../pods.js';
import { commandLine, declaredPorts, type RunningContainer, reservePorts, startEcho, startProcess } from './container.js';
import { type BackOffOptions, ContainerSlot } from './container-slot.js';
import { containerEnvironment } from './env.js';
import { ContainerLog } from './logs.js';
import { formatPodNetwork, podNetworkAnnotation } from './pod-network-annotation.js';

/** The annotation that lets a pod run its `command`/`args` as local processes. */
export const runLocalAnnotation = 'kemu.dev/run-local';

/** Images kemu runs itself; anything else runs as echo (with a warning) unless the pod runs local commands. */
const echoImage = /^(?:[^/]+\/)*kemu\/echo(?::[\w.-]+)?(?:@.*)?$/;

/** What a pod worker needs from its node agent. */
export interface PodWorkerContext {
  store: Store;
  node(): Node | undefined;
  allocator: PodIPAllocator;
  network: PodNetwork;
  volumes: VolumeProvider;
  services(namespace: string): Service[];
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  register(pod: Pod, podIP: string, bindings: readonly PodPortBinding[]): void;
  unregister(pod: Pod): void;
  backOff: BackOffOptions;
  probeTimeScale: number;
  logDir?: string;
  /** Bytes of log kept in memory per container instance. */
  containerLogMaxBytes?: number;
  /** True while the agent is suspended (a hung kubelet): no status is written. */
  suspended(): boolean;
  warn(message: string): void;
}

/**
 * Runs one pod on one node, as the kubelet's pod worker: IP, volumes, ports, network attach,
 * containers with probes and restarts, status written to the store; on deletion preStop, SIGTERM,
 * the grace period, SIGKILL, then the pod is removed from the store.
 */
export class PodWorker {
  readonly logs = new Map<string, ContainerLog>();
  private slots: ContainerSlot[] = [];
  private podIP = '';
  /** The pod-network annotation to publish with the next status write. */
  private network: string | undefined;
  private stopped: Promise<void> | undefined;
  private syncQueued = false;
  private syncChain: Promise<void> = Promise.resolve();

  constructor(
    private pod: Pod,
    private readonly ctx: PodWorkerContext,
  ) {}

  /** The pod's uid. */
  get uid(): string | undefined {
    return this.pod.metadata.uid;
  }

  /** `namespace/name`. */
  get key(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  /** Starts the pod; failures are reported in its status. */
  async start(): Promise<void> {
    const pod = this.pod;
    // Read the node from the store: a node that just joined may have had its pod CIDR filled in a
    // moment ago, and an agent that restarts lists its pods before its Node informer has synced.
    const nodeName = pod.spec.nodeName ?? this.ctx.node()?.metadata.name;
    const node = nodeName ? await this.ctx.store.get<Node>({ kind: 'Node', name: nodeName }) : undefined;
    if (!node) {
      this.ctx.warn(`pod ${this.key}: node ${nodeName ?? '(none)'} is not in the store; the pod is not started`);
      return;
    }
    const hostIP = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    this.podIP = await this.ctx.allocator.allocate(node, pod);
    await this.writeStatus((status) => {
      status.podIP = this.podIP;
      status.podIPs = [{ ip: this.podIP }];
      status.hostIP = hostIP;
      status.hostIPs = hostIP ? [{ ip: hostIP }] : [];
      status.startTime ??= isoSeconds(new Date());
    });
    this.pod = { ...this.pod, status: { ...this.pod.status, podIP: this.podIP, podIPs: [{ ip: this.podIP }], hostIP } };

    const volumePaths = new Map<string, string>();
    for (const volume of pod.spec.volumes ?? []) volumePaths.set(volume.name, await this.ctx.volumes.mount(pod, volume));

    const ports = pod.spec.containers.flatMap((c) => declaredPorts(c).map((p) => ({ container: c.name, ...p })));
    const real = await reservePorts(ports.length);
    const bindings: PodPortBinding[] = ports.map((p, i) => ({ ...p, host: '127.0.0.1', port: real[i]! }));
    const attachment = await this.ctx.network.attach(this.pod, this.podIP, bindings);
    this.ctx.register(this.pod, this.podIP, bindings);
    this.network = formatPodNetwork({
      node: node.metadata.name,
      ...(attachment.env?.HTTP_PROXY ? { httpProxy: attachment.env.HTTP_PROXY } : {}),
      ...(attachment.env?.ALL_PROXY ? { socksProxy: attachment.env.ALL_PROXY } : {}),
      ports: bindings,
    });

    const runLocal = pod.metadata.annotations?.[runLocalAnnotation] === 'true';
    for (const container of pod.spec.containers) {
      const log = new ContainerLog(container.name, { maxBytes: this.ctx.containerLogMaxBytes, directory: this.logDirectory() });
      this.logs.set(container.name, log);
      const own = bindings.filter((b) => b.container === container.name);
      const launch = (spec: Container): Promise<RunningContainer> => {
        const env = containerEnvironment({
          pod: this.pod,
          container: spec,
          services: this.ctx.services(pod.metadata.namespace ?? 'default'),
          configMap: this.ctx.configMap,
          secret: this.ctx.secret,
          bindings,
          volumePaths,
          networkEnv: attachment.env,
        });
        const argv = commandLine(spec);
        if (runLocal && argv.length > 0) {
          const hostEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' };
          const expanded = argv.map((a) => a.replace(/\$\(([^)]+)\)/g, (whole, name: string) => env[name] ?? whole));
          return Promise.resolve(startProcess(spec, expanded, own, { ...hostEnv, ...env }, log));
        }
        if (!echoImage.test(spec.image ?? '')) {
          const message = `pod ${this.key} container ${spec.name}: image "${spec.image}" cannot run in kemu; running kemu/echo instead${argv.length > 0 ? ` (set annotation ${runLocalAnnotation}: "true" to run its command locally)` : ''}`;
          log.write(message, 'stderr');
          this.ctx.warn(message);
        }
        const identity = {
          pod: pod.metadata.name,
          namespace: pod.metadata.namespace ?? 'default',
          node: pod.spec.nodeName ?? '',
          podIP: this.podIP,
        };
        return startEcho(
          spec,
          identity,
          log,
          own.map((b) => b.port),
        );
      };
      this.slots.push(
        new ContainerSlot(container, {
          launch,
          log,
          restartPolicy: pod.spec.restartPolicy ?? 'Always',
          backOff: this.ctx.backOff,
          probeTimeScale: this.ctx.probeTimeScale,
          changed: () => this.queueSync(),
          containerID: `kemu://${pod.metadata.uid ?? pod.metadata.name}/${container.name}`,
        }),
      );
    }
    await Promise.all(this.slots.map((slot) => slot.start()));
    this.queueSync();
  }

  /** A newer version of the pod from the store: rewrite status the store lost (e.g. Ready set False by node lifecycle). */
  update(pod: Pod): void {
    this.pod = { ...pod, status: { ...pod.status, podIP: this.podIP || pod.status?.podIP } };
    if (this.stopped || this.slots.length === 0) return;
    const ready = this.slots.every((s) => s.ready);
    if ((podCondition(pod, 'Ready')?.status === 'True') !== ready) this.queueSync();
  }

  /** Writes the status again (after the agent resumes). */
  resync(): void {
    this.queueSync();
  }

  /**
   * Stops the pod: preStop, SIGTERM, SIGKILL after `graceSeconds`; detaches and releases its
   * IP; when `remove`, deletes the pod object (the kubelet's final delete after a graceful one).
   */
  stop(graceSeconds: number, remove: boolean): Promise<void> {
    this.stopped ??= (async () => {
      await Promise.all(this.slots.map((slot) => slot.stop(graceSeconds * 1000)));
      this.ctx.unregister(this.pod);
      await this.ctx.network.detach(this.pod).catch(() => undefined);
      for (const volume of this.pod.spec.volumes ?? []) await this.ctx.volumes.unmount(this.pod, volume).catch(() => undefined);
      const node = this.ctx.node();
      if (node && this.podIP) await this.ctx.allocator.release(node, this.pod).catch(() => undefined);
      for (const log of this.logs.values()) log.close();
      if (remove) {
        const { namespace = 'default', name } = this.pod.metadata;
        await this.syncChain;
        await this.removeFromStore(namespace, name);
      }
    })();
    return this.stopped;
  }

  /** Deletes this pod's object, never a newer pod of the same name (uid and resourceVersion checked). */
  private async removeFromStore(namespace: string, name: string): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.ctx.store.get<Pod>({ kind: 'Pod', namespace, name });
      if (!current || current.metadata.uid !== this.pod.metadata.uid) return;
      try {
        await this.ctx.store.delete({ kind: 'Pod', namespace, name }, { resourceVersion: current.metadata.resourceVersion });
        return;
      } catch (error) {
        if (!(error instanceof StoreConflictError)) {
          if (error instanceof StoreNotFoundError) return;
          throw error;
        }
      }
    }
  }

  private logDirectory(): string | undefined {
    if (!this.ctx.logDir) return undefined;
    const { namespace, name, uid } = this.pod.metadata;
    return path.join(this.ctx.logDir, `${namespace}_${name}_${uid ?? ''}`);
  }

  private queueSync(): void {
    if (this.syncQueued) return;
    this.syncQueued = true;
    this.syncChain = this.syncChain.then(async () => {
      this.syncQueued = false;
      if (this.stopped || this.ctx.suspended()) return;
      await this.writeStatus((status, pod) => this.fillStatus(status, pod)).catch((error: unknown) => {
        this.ctx.warn(`pod ${this.key}: status not written: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
  }

  /** Phase, conditions and container statuses from the slots (kubelet_pods.go generateAPIPodStatus). */
  private fillStatus(status: NonNullable<Pod['status']>, pod: Pod): void {
    const statuses = this.slots.map((s) => s.status());
    const allReady = statuses.length > 0 && statuses.every((s) => s.ready);
    status.containerStatuses = statuses;
    const finished = this.slots.length > 0 && this.slots.every((s) => s.done);
    if (finished) status.phase = this.slots.every((s) => s.exitCode === 0) ? 'Succeeded' : 'Failed';
    else status.phase = this.slots.every((s) => s.current || s.restartCount > 0) ? 'Running' : 'Pending';
    const view = { ...pod, status } as Pod;
    // A pod created with spec.nodeName never met the scheduler; the kubelet reports it scheduled.
    setPodCondition(view, { type: 'PodScheduled', status: 'True' });
    setPodCondition(view, { type: 'PodReadyToStartContainers', status: 'True' });
    setPodCondition(view, { type: 'Initialized', status: 'True' });
    const reason = allReady ? undefined : 'ContainersNotReady';
    const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
    const message = allReady ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
    setPodCondition(view, { type: 'ContainersReady', status: allReady ? 'True' : 'False', reason, message });
    setPodCondition(view, { type: 'Ready', status: allReady ? 'True' : 'False', reason, message });
    status.conditions = view.status?.conditions;
  }

  private async writeStatus(fill: (status: NonNullable<Pod['status']>, pod: Pod) => void): Promise<void> {
    const { namespace = 'default', name } = this.pod.metadata;
    await ignoreNotFound(
      updateWithRetry<Pod>(this.ctx.store, { kind: 'Pod', namespace, name }, (current) => {
        if (current.metadata.uid !== this.pod.metadata.uid) return undefined;
        const before = JSON.stringify(current.status ?? {});
        const status = JSON.parse(before) as NonNullable<Pod['status']>;
        fill(status, current);
        // Published with the status (one write): the kubelet's status update, plus where the pod listens.
        const annotations = current.metadata.annotations ?? {};
        const publish = this.network !== undefined && annotations[podNetworkAnnotation] !== this.network;
        if (JSON.stringify(status) === before && !publish) return undefined;
        if (publish) current.metadata.annotations = { ...annotations, [podNetworkAnnotation]: this.network! };
        current.status = status;
        return current;
      }),
    );
  }
}
