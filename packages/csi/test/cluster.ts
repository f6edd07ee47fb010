// A small in-process cluster for the Kubernetes-side tests: the store, a controller driver on a
// socket, one node driver per node, and the controllers run as passes (no timers).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore, MemoryBackend, type Node, type Store } from '@kemu/core';
import {
  type AttachDetachReport,
  type CsiControllerApi,
  type CsiNodeApi,
  KubeletVolumeManager,
  type PersistentVolumeSyncReport,
  selectNodeForPodClaims,
  syncAttachDetach,
  syncAttacher,
  syncPersistentVolumes,
  syncStorageProtection,
  type VolumeManagerReport,
} from '@kemu/csi';
import { CsiClient, CsiDriver, type ServedCsiDriver, serveCsiDriver } from '@kemu/csi/server';

export const driverName = 'csi.kemu.dev';

/** The reports of one reconcile round. */
export interface Round {
  pv: PersistentVolumeSyncReport;
  attach: AttachDetachReport;
  kubelets: Map<string, VolumeManagerReport>;
}

/** A cluster of `nodes` nodes. */
export interface Cluster {
  dir: string;
  store: Store;
  controller: CsiControllerApi & { close?: () => void };
  kubelets: Map<string, KubeletVolumeManager>;
  /** One pass of every controller, in the order a real cluster tends to run them. */
  round(options?: { now?: () => number; maxWaitForUnmountMs?: number }): Promise<Round>;
  /** Several rounds; returns every round's report. */
  settle(rounds?: number): Promise<Round[]>;
  close(): Promise<void>;
}

/** Starts the cluster: the controller driver over a unix socket, node drivers in-process or over sockets. */
export async function startCluster(nodes = ['node-1', 'node-2'], options: { overSocket?: boolean } = {}): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'kemu-csi-cluster-'));
  const backend = new MemoryBackend();
  const store = createMemoryStore({ backend, lab: 'cluster' });
  const stateDir = join(dir, 'state');
  const served: ServedCsiDriver[] = [];
  const clients: CsiClient[] = [];
  const driverFor = (nodeId?: string) =>
    new CsiDriver({ stateDir, store: createMemoryStore({ backend, lab: 'cluster' }), ...(nodeId ? { nodeId } : {}), driverName });
  const api = async (nodeId?: string): Promise<CsiControllerApi & CsiNodeApi> => {
    const driver = driverFor(nodeId);
    if (!options.overSocket) return driver.start();
    const s = await serveCsiDriver(driver, `unix://${join(dir, `${nodeId ?? 'controller'}.sock`)}`);
    served.push(s);
    const client = new CsiClient(s.endpoint);
    clients.push(client);
    return client;
  };
  const controller = await api();
  const kubelets = new Map<string, KubeletVolumeManager>();
  for (const nodeName of nodes) {
    await store.create<Node>({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName }, status: {} });
    kubelets.set(
      nodeName,
      new KubeletVolumeManager(store, await api(nodeName), {
        nodeName,
        driverName,
        kubeletDir: join(dir, 'kubelet', nodeName),
        singleNodeMultiWriter: true,
      }),
    );
  }
  const round = async (o: { now?: () => number; maxWaitForUnmountMs?: number } = {}): Promise<Round> => {
    const { items: pods } = await store.list('Pod');
    for (const pod of pods) await selectNodeForPodClaims(store, pod as never);
    const pv = await syncPersistentVolumes(store, { driverName, provisioner: controller });
    const attach = await syncAttachDetach(store, { driverName, ...o });
    // kemu's driver advertises SINGLE_NODE_MULTI_WRITER, so RWO maps to it (kubelet csi_client.go)
    await syncAttacher(store, controller, { driverName, singleNodeMultiWriter: true });
    const reports = new Map<string, VolumeManagerReport>();
    for (const [name, kubelet] of kubelets) reports.set(name, await kubelet.sync());
    await syncStorageProtection(store);
    return { pv, attach, kubelets: reports };
  };
  return {
    dir,
    store,
    controller,
    kubelets,
    round,
    async settle(rounds = 4) {
      const all: Round[] = [];
      for (let i = 0; i < rounds; i++) all.push(await round());
      return all;
    },
    async close() {
      for (const c of clients) c.close();
      for (const s of served) await s.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
