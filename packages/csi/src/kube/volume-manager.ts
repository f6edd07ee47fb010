import {
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  type Store,
  StoreNotFoundError,
  updateWithRetry,
  type VolumeAttachment,
} from '@kemu/core';
import type { CsiNodeApi } from '../csi/types.js';
import { capabilityForVolume, namespacedName, podClaims, podNeedsVolumes, readWriteOncePodOwners } from './attach-rules.js';
import { publishPath, stagingPath, uniqueVolumeName, volumeAttachmentName } from './names.js';

/** Options of a {@link KubeletVolumeManager}. */
export interface VolumeManagerOptions {
  /** The node this kubelet runs. */
  nodeName: string;
  /** The CSI driver whose volumes it mounts. */
  driverName: string;
  /** Kubelet root directory (`/var/lib/kubelet` on a real node); paths follow kubelet's layout under it. */
  kubeletDir: string;
  /** CSIDriver.spec.attachRequired (default true): wait for the VolumeAttachment before staging. */
  attachRequired?: boolean;
  /**
   * Whether the driver has node SINGLE_NODE_MULTI_WRITER (kemu's does): RWO then maps to
   * SINGLE_NODE_MULTI_WRITER, so several pods of one node can publish it. Default false.
   */
  singleNodeMultiWriter?: boolean;
}

/** One pod volume ready for use. */
export interface PodVolumeMount {
  pod: string;
  /** The pod's volume name (spec.volumes[].name). */
  volumeName: string;
  pvName: string;
  /** Where the volume appears (NodePublish target_path). */
  path: string;
  readOnly: boolean;
}

/** What one pass did. */
export interface VolumeManagerReport {
  mounted: PodVolumeMount[];
  unmounted: { pod: string; pvName: string }[];
  unstaged: string[];
  /** Pods still waiting, with kubelet's reason (FailedMount / FailedAttachVolume). */
  waiting: { pod: string; pvName?: string; reason: string }[];
}

interface Wanted {
  pod: Pod;
  volumeName: string;
  claim: string;
  pv: PersistentVolume;
  readOnly: boolean;
}

function messageOf(error: unknown): string {
  return (error as { details?: string }).details ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Kubelet's volume manager for one node (pkg/kubelet/volumemanager): waits for attach, stages each
 * volume once per node (NodeStageVolume at the global mount path), publishes it once per pod
 * (NodePublishVolume at the pod's path), and tears down in reverse — unpublish per pod, unstage
 * when no pod on the node uses the volume — keeping `Node.status.volumesInUse` in step so the
 * attach/detach controller detaches only what is unmounted.
 */
export class KubeletVolumeManager {
  private readonly staged = new Map<string, { pv: PersistentVolume; path: string }>();
  private readonly published = new Map<string, PodVolumeMount & { handle: string; uid: string; claim: string }>();

  constructor(
    private readonly store: Store,
    private readonly node: CsiNodeApi,
    readonly options: VolumeManagerOptions,
  ) {}

  /** The volumes mounted for a pod, by pod volume name. */
  mountsOf(pod: Pod): PodVolumeMount[] {
    return [...this.published.values()].filter((m) => m.uid === (pod.metadata.uid ?? pod.metadata.name));
  }

  private async wanted(): Promise<{ wanted: Wanted[]; waiting: VolumeManagerReport['waiting'] }> {
    const [{ items: pods }, { items: claims }] = await Promise.all([
      this.store.list<Pod>('Pod'),
      this.store.list<PersistentVolumeClaim>('PersistentVolumeClaim'),
    ]);
    const holders = new Map([...this.published.values()].map((m) => [m.claim, m.pod]));
    const owners = readWriteOncePodOwners(pods, claims, holders);
    const byName = new Map(claims.map((c) => [namespacedName(c), c]));
    const wanted: Wanted[] = [];
    const waiting: VolumeManagerReport['waiting'] = [];
    for (const pod of pods) {
      if (pod.spec.nodeName !== this.options.nodeName || !podNeedsVolumes(pod) || pod.metadata.deletionTimestamp) continue;
      for (const { volumeName, claimName, readOnly } of podClaims(pod)) {
        const key = `${pod.metadata.namespace ?? 'default'}/${claimName}`;
        const claim = byName.get(key);
        if (claim?.status?.phase !== 'Bound' || !claim.spec.volumeName) {
          waiting.push({ pod: namespacedName(pod), reason: `unbound immediate PersistentVolumeClaims: ${key}` });
          continue;
        }
        const owner = owners.get(key);
        if (owner && owner !== namespacedName(pod)) {
          waiting.push({
            pod: namespacedName(pod),
            reason: `PersistentVolumeClaim ${key} has access mode ReadWriteOncePod and is used by pod ${owner}`,
          });
          continue;
        }
        const pv = await this.store.get<PersistentVolume>({ kind: 'PersistentVolume', name: claim.spec.volumeName });
        if (pv?.spec.csi?.driver !== this.options.driverName) continue;
        wanted.push({ pod, volumeName, claim: key, pv, readOnly: readOnly || pv.spec.csi.readOnly === true });
      }
    }
    return { wanted, waiting };
  }

  private async markInUse(handle: string, inUse: boolean): Promise<void> {
    const name = uniqueVolumeName(this.options.driverName, handle);
    await updateWithRetry<Node>(this.store, { kind: 'Node', name: this.options.nodeName }, (node) => {
      const current = new Set(node.status?.volumesInUse ?? []);
      if (current.has(name) === inUse) return undefined;
      if (inUse) current.add(name);
      else current.delete(name);
      node.status = { ...node.status, volumesInUse: [...current].sort() };
      return node;
    }).catch((error: unknown) => {
      if (!(error instanceof StoreNotFoundError)) throw error;
    });
  }

  /** One reconcile pass: tear down what is no longer wanted, then set up what is. */
  async sync(): Promise<VolumeManagerReport> {
    const report: VolumeManagerReport = { mounted: [], unmounted: [], unstaged: [], waiting: [] };
    const { wanted, waiting } = await this.wanted();
    report.waiting.push(...waiting);
    const wantedKeys = new Set(wanted.map((w) => `${w.pod.metadata.uid ?? w.pod.metadata.name}/${w.pv.metadata.name}`));
    const wantedPvs = new Set(wanted.map((w) => w.pv.metadata.name));

    for (const [key, mount] of this.published) {
      if (wantedKeys.has(key)) continue;
      try {
        await this.node.nodeUnpublishVolume({ volume_id: mount.handle, target_path: mount.path });
        this.published.delete(key);
        report.unmounted.push({ pod: mount.pod, pvName: mount.pvName });
      } catch (error) {
        report.waiting.push({
          pod: mount.pod,
          pvName: mount.pvName,
          reason: `UnmountVolume.TearDown failed: ${messageOf(error)}`,
        });
      }
    }
    for (const [pvName, stage] of this.staged) {
      if (wantedPvs.has(pvName) || [...this.published.values()].some((m) => m.pvName === pvName)) continue;
      const handle = stage.pv.spec.csi!.volumeHandle;
      try {
        await this.node.nodeUnstageVolume({ volume_id: handle, staging_target_path: stage.path });
        this.staged.delete(pvName);
        await this.markInUse(handle, false);
        report.unstaged.push(pvName);
      } catch (error) {
        report.waiting.push({ pod: '', pvName, reason: `UnmountDevice failed: ${messageOf(error)}` });
      }
    }

    for (const want of wanted) {
      const uid = want.pod.metadata.uid ?? want.pod.metadata.name;
      const key = `${uid}/${want.pv.metadata.name}`;
      if (this.published.has(key)) continue;
      const pod = namespacedName(want.pod);
      const csi = want.pv.spec.csi!;
      await this.markInUse(csi.volumeHandle, true);
      let publishContext: Record<string, string> = {};
      if (this.options.attachRequired ?? true) {
        const name = volumeAttachmentName(csi.volumeHandle, this.options.driverName, this.options.nodeName);
        const attachment = await this.store.get<VolumeAttachment>({ kind: 'VolumeAttachment', name });
        if (!attachment?.status?.attached) {
          const reason = attachment?.status?.attachError?.message ?? `waiting for VolumeAttachment ${name} to be attached`;
          report.waiting.push({ pod, pvName: want.pv.metadata.name, reason });
          continue;
        }
        publishContext = attachment.status.attachmentMetadata ?? {};
      }
      const capability = capabilityForVolume(want.pv, this.options.singleNodeMultiWriter);
      const staging = stagingPath(this.options.kubeletDir, this.options.driverName, csi.volumeHandle);
      const target = publishPath(this.options.kubeletDir, uid, want.pv.metadata.name);
      try {
        if (!this.staged.has(want.pv.metadata.name)) {
          await this.node.nodeStageVolume({
            volume_id: csi.volumeHandle,
            staging_target_path: staging,
            volume_capability: capability,
            publish_context: publishContext,
            volume_context: { ...(csi.volumeAttributes ?? {}) },
          });
          this.staged.set(want.pv.metadata.name, { pv: want.pv, path: staging });
        }
        await this.node.nodePublishVolume({
          volume_id: csi.volumeHandle,
          staging_target_path: staging,
          target_path: target,
          volume_capability: capability,
          readonly: want.readOnly,
          publish_context: publishContext,
          volume_context: { ...(csi.volumeAttributes ?? {}) },
        });
      } catch (error) {
        report.waiting.push({ pod, pvName: want.pv.metadata.name, reason: `MountVolume failed: ${messageOf(error)}` });
        continue;
      }
      const mount = {
        pod,
        volumeName: want.volumeName,
        pvName: want.pv.metadata.name,
        path: target,
        readOnly: want.readOnly,
        handle: csi.volumeHandle,
        uid,
        claim: want.claim,
      };
      this.published.set(key, mount);
      report.mounted.push({ pod, volumeName: mount.volumeName, pvName: mount.pvName, path: target, readOnly: mount.readOnly });
    }
    return report;
  }
}
