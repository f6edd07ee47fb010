import { type Store, StoreAlreadyExistsError, StoreNotFoundError, updateWithRetry } from '@kemu/core';
import {
  claimKeys,
  driverLabel,
  type NodeRecord,
  nodeRecordName,
  recordApiVersion,
  recordNamespace,
  type SnapshotRecord,
  type VolumeRecord,
} from './records.js';

/**
 * The driver's records in the store: volumes, snapshots and nodes of one driver name. Updates are
 * compare-and-swap with retry (client-go RetryOnConflict), so drivers sharing a store never lose
 * a write.
 */
export class DriverBook {
  constructor(
    readonly store: Store,
    readonly driver: string,
  ) {}

  /** The volume record, or undefined. */
  async volume(volumeId: string): Promise<VolumeRecord | undefined> {
    const record = await this.store.get<VolumeRecord>({ kind: 'KemuCSIVolume', namespace: recordNamespace, name: volumeId });
    return record?.metadata.labels?.[driverLabel] === this.driver ? record : undefined;
  }

  /** Stores a new volume record. */
  async createVolume(spec: VolumeRecord['spec']): Promise<VolumeRecord> {
    return this.store.create<VolumeRecord>({
      apiVersion: recordApiVersion,
      kind: 'KemuCSIVolume',
      metadata: { name: spec.volumeId, namespace: recordNamespace, labels: { [driverLabel]: this.driver } },
      spec,
      status: { published: {}, nodes: {} },
    });
  }

  /**
   * Read-modify-write of a volume; `mutate` may throw to abort (nothing is written) or return
   * undefined to leave the record as it is.
   */
  async updateVolume(volumeId: string, mutate: (record: VolumeRecord) => VolumeRecord | undefined): Promise<VolumeRecord> {
    return updateWithRetry<VolumeRecord>(
      this.store,
      { kind: 'KemuCSIVolume', namespace: recordNamespace, name: volumeId },
      mutate,
      50,
    );
  }

  /** Removes a volume record; false when it was already gone. */
  async deleteVolume(volumeId: string): Promise<boolean> {
    try {
      await this.store.delete({ kind: 'KemuCSIVolume', namespace: recordNamespace, name: volumeId });
      return true;
    } catch (error) {
      if (error instanceof StoreNotFoundError) return false;
      throw error;
    }
  }

  /** Every volume of this driver. */
  async volumes(): Promise<VolumeRecord[]> {
    const { items } = await this.store.list<VolumeRecord>('KemuCSIVolume', {
      namespace: recordNamespace,
      labelSelector: `${driverLabel}=${this.driver}`,
    });
    return items;
  }

  /** The snapshot record, or undefined. */
  async snapshot(snapshotId: string): Promise<SnapshotRecord | undefined> {
    const record = await this.store.get<SnapshotRecord>({
      kind: 'KemuCSISnapshot',
      namespace: recordNamespace,
      name: snapshotId,
    });
    return record?.metadata.labels?.[driverLabel] === this.driver ? record : undefined;
  }

  /** Stores a new snapshot record. */
  async createSnapshot(spec: SnapshotRecord['spec']): Promise<SnapshotRecord> {
    return this.store.create<SnapshotRecord>({
      apiVersion: recordApiVersion,
      kind: 'KemuCSISnapshot',
      metadata: { name: spec.snapshotId, namespace: recordNamespace, labels: { [driverLabel]: this.driver } },
      spec,
    });
  }

  /** Removes a snapshot record; false when it was already gone. */
  async deleteSnapshot(snapshotId: string): Promise<boolean> {
    try {
      await this.store.delete({ kind: 'KemuCSISnapshot', namespace: recordNamespace, name: snapshotId });
      return true;
    } catch (error) {
      if (error instanceof StoreNotFoundError) return false;
      throw error;
    }
  }

  /** Every snapshot of this driver. */
  async snapshots(): Promise<SnapshotRecord[]> {
    const { items } = await this.store.list<SnapshotRecord>('KemuCSISnapshot', {
      namespace: recordNamespace,
      labelSelector: `${driverLabel}=${this.driver}`,
    });
    return items;
  }

  /** Registers (or refreshes) a node the driver serves. */
  async registerNode(spec: NodeRecord['spec']): Promise<NodeRecord> {
    const object: NodeRecord = {
      apiVersion: recordApiVersion,
      kind: 'KemuCSINode',
      metadata: {
        name: nodeRecordName(this.driver, spec.nodeId),
        namespace: recordNamespace,
        labels: { [driverLabel]: this.driver },
      },
      spec,
    };
    try {
      return await this.store.create(object);
    } catch (error) {
      if (!(error instanceof StoreAlreadyExistsError)) throw error;
      return this.store.update(object);
    }
  }

  /** A registered node, or undefined. */
  async node(nodeId: string): Promise<NodeRecord | undefined> {
    return this.store.get<NodeRecord>({
      kind: 'KemuCSINode',
      namespace: recordNamespace,
      name: nodeRecordName(this.driver, nodeId),
    });
  }

  /** Every registered node. */
  async nodes(): Promise<NodeRecord[]> {
    const { items } = await this.store.list<NodeRecord>('KemuCSINode', {
      namespace: recordNamespace,
      labelSelector: `${driverLabel}=${this.driver}`,
    });
    return items;
  }

  /** Claims `key` for `holder`; returns the holder that won. */
  async claim(key: string, holder: string): Promise<{ claimed: boolean; holder: string }> {
    return this.store.claim(key, holder);
  }

  /** Releases `key` if `holder` holds it. */
  async release(key: string, holder: string): Promise<void> {
    await this.store.release(key, holder);
  }

  /** Claim keys helper bound to this driver. */
  get keys() {
    const driver = this.driver;
    return {
      volumeName: (name: string) => claimKeys.volumeName(driver, name),
      snapshotName: (name: string) => claimKeys.snapshotName(driver, name),
      exclusive: (volumeId: string) => claimKeys.exclusive(driver, volumeId),
      slot: (nodeId: string, slot: number) => claimKeys.slot(driver, nodeId, slot),
    };
  }
}
