import path from 'node:path';
import { type CSIDriver, type CSINode, type KubernetesObject, type Pod, type Store, StoreAlreadyExistsError } from '@kemu/core';
import {
  KubeletVolumeManager,
  podClaims,
  selectNodeForPodClaims,
  syncAttachDetach,
  syncAttacher,
  syncPersistentVolumes,
  syncStorageProtection,
} from '@kemu/csi';
import { CsiDriver, nodeTopologyKey } from '@kemu/csi/server';
import { PodTeardownView } from './pod-view.js';

/** Options of a {@link CsiCluster}. */
export interface CsiClusterOptions {
  store: Store;
  /** Volume data (the driver's state dir). */
  stateDir: string;
  /** Kubelet roots, one folder per node (`<kubeletDir>/<node>`). */
  kubeletDir: string;
  driverName: string;
  nodes: readonly string[];
  /** Force-detach after this long when a node still reports a volume in use (default 6 min). */
  maxWaitForUnmountMs?: number;
  /**
   * Run the controllers (PV controller + provisioner, attach/detach, attacher, protection) here;
   * default true. A `kemu agent` process runs only its node's plugin and volume manager.
   */
  controllers?: boolean;
  /** Where to report Multi-Attach errors and other controller events. */
  log(message: string): void;
}

/**
 * The CSI side of a lab: one controller plugin (provisioner + attacher) and one node plugin and
 * kubelet volume manager per node, all in-process over one Store, and {@link pass} running every
 * @kemu/csi controller once in the order a cluster's loops tend to run.
 */
export class CsiCluster {
  /** The controller plugin (CreateVolume, ControllerPublish…). */
  readonly controller: CsiDriver;
  /** Each node's plugin. */
  readonly nodePlugins = new Map<string, CsiDriver>();
  /** Each node's kubelet volume manager. */
  readonly kubelets = new Map<string, KubeletVolumeManager>();
  /** The pods as the kubelets see them (terminating pods keep volumes until released). */
  readonly view: PodTeardownView;
  /** The latest pass's reason per waiting pod (`namespace/name`): kubelet's, or the Multi-Attach error. */
  waiting = new Map<string, string>();
  /** The latest pass's reason per pending claim (`namespace/name`): the PV controller's. */
  pendingClaims = new Map<string, string>();
  private readonly reported = new Set<string>();

  constructor(private readonly options: CsiClusterOptions) {
    const { store, stateDir, driverName } = options;
    this.view = new PodTeardownView(store);
    this.controller = new CsiDriver({ stateDir, store, driverName });
    for (const nodeName of options.nodes) {
      const plugin = new CsiDriver({ stateDir, store, driverName, nodeId: nodeName, controller: false });
      this.nodePlugins.set(nodeName, plugin);
      this.kubelets.set(
        nodeName,
        new KubeletVolumeManager(this.view, plugin, {
          nodeName,
          driverName,
          kubeletDir: path.join(options.kubeletDir, nodeName),
          // kemu's driver has node SINGLE_NODE_MULTI_WRITER, so RWO maps to it (kubelet csi_client.go)
          singleNodeMultiWriter: true,
        }),
      );
    }
  }

  /** Starts the plugins (each node plugin registers its node) and writes the CSIDriver and CSINode objects kubelet would. */
  async start(): Promise<void> {
    const { store, driverName } = this.options;
    if (this.options.controllers !== false) await this.controller.start();
    for (const plugin of this.nodePlugins.values()) await plugin.start();
    await createIfMissing<CSIDriver>(store, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: driverName },
      spec: { attachRequired: true, podInfoOnMount: false, volumeLifecycleModes: ['Persistent'] },
    });
    for (const nodeName of this.nodePlugins.keys()) {
      // kubelet's plugin registration (csi_plugin.go nim.InstallCSIDriver) records the node id and topology keys
      await createIfMissing<CSINode>(store, {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'CSINode',
        metadata: { name: nodeName },
        spec: { drivers: [{ name: driverName, nodeID: nodeName, topologyKeys: [nodeTopologyKey] }] },
      });
    }
  }

  /** One pass of every controller: scheduler volume binding, PV controller, attach/detach, attacher, kubelets, protection. */
  async pass(): Promise<void> {
    if (this.options.controllers === false) {
      await this.syncKubelets(new Map());
      return;
    }
    const { store, driverName } = this.options;
    const { items: pods } = await store.list<Pod>('Pod');
    // The scheduler's VolumeBinding PreBind for pods already on a node (the lab's scheduler, and
    // pods created with spec.nodeName): WaitForFirstConsumer claims learn their node here.
    for (const pod of pods) {
      if (pod.spec.nodeName && !pod.metadata.deletionTimestamp && podClaims(pod).length > 0)
        await selectNodeForPodClaims(store, pod);
    }
    const pv = await syncPersistentVolumes(store, { driverName, provisioner: this.controller });
    this.pendingClaims = new Map(pv.pending.map((p) => [p.claim, p.reason]));
    for (const { claim, reason } of pv.pending) this.report(`claim ${claim}`, reason);
    const waiting = new Map<string, string>();
    const attach = await syncAttachDetach(store, {
      driverName,
      ...(this.options.maxWaitForUnmountMs !== undefined ? { maxWaitForUnmountMs: this.options.maxWaitForUnmountMs } : {}),
    });
    for (const error of attach.errors) {
      waiting.set(error.pod, error.message);
      this.report(`pod ${error.pod}`, error.message);
    }
    const attacher = await syncAttacher(store, this.controller, { driverName, singleNodeMultiWriter: true });
    for (const failure of attacher.failed) this.report(`VolumeAttachment ${failure.attachment}`, failure.message);
    await this.syncKubelets(waiting);
    await syncStorageProtection(store);
  }

  /** Each node's volume manager, once; `waiting` gathers why pods wait. */
  private async syncKubelets(waiting: Map<string, string>): Promise<void> {
    for (const kubelet of this.kubelets.values()) {
      const report = await kubelet.sync();
      for (const wait of report.waiting) if (wait.pod && !waiting.has(wait.pod)) waiting.set(wait.pod, wait.reason);
    }
    this.waiting = waiting;
  }

  /** Logs a controller event once per distinct message (a pass repeats them). */
  private report(subject: string, message: string): void {
    const line = `csi: ${subject}: ${message}`;
    if (this.reported.has(line)) return;
    if (this.reported.size > 1000) this.reported.clear();
    this.reported.add(line);
    this.options.log(line);
  }
}

async function createIfMissing<T extends KubernetesObject>(store: Store, object: T): Promise<void> {
  await store.create(object).catch((error: unknown) => {
    if (!(error instanceof StoreAlreadyExistsError)) throw error;
  });
}
