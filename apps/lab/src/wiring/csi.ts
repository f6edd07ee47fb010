import path from 'node:path';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume } from '@kemu/core';
import { defaultDriverName } from '@kemu/csi/server';
import type { LabAddon, LabContext, VolumeProvider } from '../lab/hooks.js';
import { DirectoryVolumes } from '../lab/runtime/volumes.js';
import { CsiCluster } from './csi-cluster.js';
import { VolumeMountTimeoutError, VolumeNodeError, VolumesClosedError, VolumeUnmountTimeoutError } from './errors.js';
import { StoreReconciler } from './reconciler.js';
import { csiRelevance } from './relevance.js';

/** Options of {@link createCsiVolumes}. */
export interface CsiVolumesOptions {
  /** The lab's data directory: volume data goes to `<dataDir>/csi`, kubelet paths to `<dataDir>/kubelet/<node>`. */
  dataDir: string;
  /** The CSI driver name, and the StorageClass provisioner it serves (default `csi.kemu.dev`). */
  driverName?: string;
  /** Nodes that get a CSI node plugin and a volume manager (default: every node of the lab). */
  nodes?: readonly string[];
  /** Run the CSI controllers in this process (default true; false in a `kemu agent`). */
  controllers?: boolean;
  /**
   * How long `mount` waits for a claim to be bound, attached and published (default 2 min 3 s,
   * kubelet's podAttachAndMountTimeout in pkg/kubelet/volumemanager/volume_manager.go).
   */
  mountTimeoutMs?: number;
  /** Force-detach after this long when a node still reports a volume in use (default 6 min, as Kubernetes). */
  maxWaitForUnmountMs?: number;
  /** Quiet time after a change before the controllers run (default 10 ms). */
  debounceMs?: number;
}

/** The pair to hand to `new Lab({ volumes, addons: [addon] })`. */
export interface CsiVolumes {
  /** Pod volumes: CSI-published directories for claims, the lab's directories for the rest. */
  volumes: VolumeProvider;
  /** The CSI controllers, started and closed with the lab. */
  addon: LabAddon;
  /** The running plugins and volume managers (undefined until the addon started). */
  cluster(): CsiCluster | undefined;
}

interface Running {
  cluster: CsiCluster;
  reconciler: StoreReconciler;
}

/**
 * Wires @kemu/csi into a lab: one in-process controller plugin and a node plugin per node on the
 * lab's store, the PV controller + provisioner, attach/detach controller, external-attacher and
 * each node's kubelet volume manager run as one reconciler over store changes, and a
 * {@link VolumeProvider} whose `mount` returns the NodePublish target of a pod's claim.
 * @example
 * const { volumes, addon } = createCsiVolumes({ dataDir });
 * const lab = new Lab({ nodes: 2, dataDir, volumes, addons: [addon] });
 */
export function createCsiVolumes(options: CsiVolumesOptions): CsiVolumes {
  const wiring = new CsiLabVolumes(options);
  return { volumes: wiring, addon: wiring, cluster: () => wiring.current?.cluster };
}

class CsiLabVolumes implements VolumeProvider, LabAddon {
  readonly name = 'csi';
  current: Running | undefined;
  private context: LabContext | undefined;
  private closed = false;
  private readonly fallback: DirectoryVolumes;
  private readonly started: Promise<Running>;
  private resolveStarted!: (running: Running) => void;
  private readonly timeoutMs: number;

  constructor(private readonly options: CsiVolumesOptions) {
    this.timeoutMs = options.mountTimeoutMs ?? 123_000;
    this.started = new Promise((resolve) => {
      this.resolveStarted = resolve;
    });
    // emptyDir, configMap, secret, hostPath and claims of other provisioners: the lab's own behaviour.
    this.fallback = new DirectoryVolumes(path.join(options.dataDir, 'volumes'), {
      configMap: (ns, name) => this.context?.informers.for<ConfigMap>('ConfigMap').get(ns, name),
      secret: (ns, name) => this.context?.informers.for<Secret>('Secret').get(ns, name),
    });
  }

  async start(context: LabContext): Promise<void> {
    if (this.closed) throw new VolumesClosedError('start');
    this.context = context;
    context.informers.for('ConfigMap');
    context.informers.for('Secret');
    const cluster = new CsiCluster({
      store: context.store,
      stateDir: path.join(this.options.dataDir, 'csi'),
      kubeletDir: path.join(this.options.dataDir, 'kubelet'),
      driverName: this.options.driverName ?? defaultDriverName,
      nodes: this.options.nodes ?? context.nodes,
      ...(this.options.controllers === false ? { controllers: false } : {}),
      ...(this.options.maxWaitForUnmountMs !== undefined ? { maxWaitForUnmountMs: this.options.maxWaitForUnmountMs } : {}),
      log: context.log,
    });
    await cluster.start();
    const reconciler = new StoreReconciler({
      store: context.store,
      relevant: csiRelevance(),
      pass: () => cluster.pass(),
      ...(this.options.debounceMs !== undefined ? { debounceMs: this.options.debounceMs } : {}),
      onError: (error) => context.log(`csi: controller pass failed (retrying): ${messageOf(error)}`),
    });
    reconciler.start();
    this.current = { cluster, reconciler };
    this.resolveStarted(this.current);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.current?.reconciler.close();
  }

  async mount(pod: Pod, volume: Volume): Promise<string> {
    const claimName = volume.persistentVolumeClaim?.claimName;
    if (!claimName) return this.fallback.mount(pod, volume);
    const deadline = Date.now() + this.timeoutMs;
    const { cluster, reconciler } = await this.whenRunning(pod, volume, deadline);
    const podKey = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
    const node = pod.spec.nodeName ?? '';
    const kubelet = cluster.kubelets.get(node);
    if (!kubelet) throw new VolumeNodeError(podKey, node, [...cluster.kubelets.keys()]);
    reconciler.kick();
    for (;;) {
      const mounted = kubelet.mountsOf(pod).find((m) => m.volumeName === volume.name);
      if (mounted) return mounted.path;
      if (this.closed) throw new VolumesClosedError(`mount of ${podKey} volume "${volume.name}"`);
      if (cluster.view.isReleased(pod)) throw new VolumeMountTimeoutError(podKey, volume.name, 0, 'the pod was stopped');
      // A claim bound to a PV of another driver (a static hostPath PV…) keeps the lab's directory per claim.
      if ((await this.claimDriver(pod, claimName)) === 'other') return this.fallback.mount(pod, volume);
      const left = deadline - Date.now();
      if (left <= 0) {
        const claimKey = `${pod.metadata.namespace ?? 'default'}/${claimName}`;
        const reason =
          cluster.pendingClaims.get(claimKey) ?? cluster.waiting.get(podKey) ?? 'no controller pass finished in time';
        throw new VolumeMountTimeoutError(podKey, volume.name, this.timeoutMs, reason);
      }
      await within(reconciler.nextPass(), left);
    }
  }

  async unmount(pod: Pod, volume: Volume): Promise<void> {
    if (!volume.persistentVolumeClaim) return this.fallback.unmount(pod, volume);
    const running = this.current;
    // The lab closes addons before it stops pods: the published links then stay with the data dir.
    if (!running || this.closed) return;
    const { cluster, reconciler } = running;
    const kubelet = cluster.kubelets.get(pod.spec.nodeName ?? '');
    if (!kubelet) return this.fallback.unmount(pod, volume);
    cluster.view.releasePod(pod);
    reconciler.kick();
    const deadline = Date.now() + this.timeoutMs;
    while (kubelet.mountsOf(pod).some((m) => m.volumeName === volume.name) && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const podKey = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
        throw new VolumeUnmountTimeoutError(podKey, volume.name, this.timeoutMs, cluster.waiting.get(podKey) ?? 'unknown');
      }
      await within(reconciler.nextPass(), left);
    }
  }

  private async whenRunning(pod: Pod, volume: Volume, deadline: number): Promise<Running> {
    const what = `mount of ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name} volume "${volume.name}"`;
    if (this.closed) throw new VolumesClosedError(what);
    if (this.current) return this.current;
    const running = await within(this.started, deadline - Date.now());
    if (!running || this.closed) throw new VolumesClosedError(what);
    return running;
  }

  /** Whether the pod's claim is bound to a PV of this driver, another driver's, or not yet bound. */
  private async claimDriver(pod: Pod, claimName: string): Promise<'ours' | 'other' | 'unbound'> {
    const store = this.context!.store;
    const namespace = pod.metadata.namespace ?? 'default';
    const claim = await store.get<PersistentVolumeClaim>({ kind: 'PersistentVolumeClaim', namespace, name: claimName });
    if (claim?.status?.phase !== 'Bound' || !claim.spec.volumeName) return 'unbound';
    const pv = await store.get<PersistentVolume>({ kind: 'PersistentVolume', name: claim.spec.volumeName });
    if (!pv) return 'unbound';
    return pv.spec.csi?.driver === (this.options.driverName ?? defaultDriverName) ? 'ours' : 'other';
  }
}

/** `promise`'s value, or undefined after `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
