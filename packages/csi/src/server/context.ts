import type { Store } from '@kemu/core';
import { nodeTopologyKey } from '../csi/topology.js';
import type { Topology, Volume } from '../csi/types.js';
import { rpcError } from '../errors.js';

export { nodeTopologyKey };

import { DriverBook } from './book.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { VolumeRecord } from './records.js';
import { VolumeStorage } from './storage.js';

/** Default plugin name: domain-name notation that also passes csi-sanity's stricter regex. */
export const defaultDriverName = 'csi.kemu.dev';

const GiB = 1024 ** 3;

/** Options of a driver. */
export interface CsiDriverOptions {
  /** Where volume data lives (directories and files). */
  stateDir: string;
  /** Where the driver's records live; share one store (memory backend or Redis) between drivers. */
  store: Store;
  /** Plugin name reported by GetPluginInfo; default `csi.kemu.dev`. */
  driverName?: string;
  /** Vendor version reported by GetPluginInfo. */
  vendorVersion?: string;
  /** This plugin's node; without one the Node service answers FAILED_PRECONDITION (controller-only mode). */
  nodeId?: string;
  /** Serve the Controller service (default true). */
  controller?: boolean;
  /** This node's max_volumes_per_node; 0 means no limit (the CO decides). */
  maxVolumesPerNode?: number;
  /** Extra topology segments of this node (e.g. a zone), besides `topology.csi.kemu.dev/node`. */
  topology?: Record<string, string>;
  /** Capacity the driver provisions from (bookkeeping; default 1 TiB). */
  capacityBytes?: number;
  /** Largest volume (default 1 TiB, as csi-driver-host-path's --max-volume-size). */
  maxVolumeSizeBytes?: number;
  /** Size of a volume created without a capacity range (default 1 GiB). */
  defaultVolumeSizeBytes?: number;
}

/** Everything the services share. */
export class DriverContext {
  readonly driverName: string;
  readonly vendorVersion: string;
  readonly nodeId: string | undefined;
  readonly controller: boolean;
  readonly maxVolumesPerNode: number;
  readonly nodeTopology: Record<string, string>;
  readonly capacityBytes: number;
  readonly maxVolumeSizeBytes: number;
  readonly defaultVolumeSizeBytes: number;
  readonly book: DriverBook;
  readonly storage: VolumeStorage;
  readonly locks = new KeyedMutex();

  constructor(options: CsiDriverOptions) {
    this.driverName = options.driverName ?? defaultDriverName;
    this.vendorVersion = options.vendorVersion ?? '0.1.0';
    this.nodeId = options.nodeId;
    this.controller = options.controller ?? true;
    this.maxVolumesPerNode = options.maxVolumesPerNode ?? 0;
    this.nodeTopology = options.nodeId ? { ...options.topology, [nodeTopologyKey]: options.nodeId } : { ...options.topology };
    this.capacityBytes = options.capacityBytes ?? 1024 * GiB;
    this.maxVolumeSizeBytes = options.maxVolumeSizeBytes ?? 1024 * GiB;
    this.defaultVolumeSizeBytes = options.defaultVolumeSizeBytes ?? GiB;
    this.book = new DriverBook(options.store, this.driverName);
    this.storage = new VolumeStorage(options.stateDir);
  }

  /** The volume or NOT_FOUND. */
  async requireVolume(volumeId: string): Promise<VolumeRecord> {
    const record = await this.book.volume(volumeId);
    if (!record) throw rpcError.notFound(`volume ${volumeId} does not exist`);
    return record;
  }

  /** This node's id, or FAILED_PRECONDITION in controller-only mode. */
  requireNode(): string {
    if (!this.nodeId) throw rpcError.failedPrecondition('this plugin runs without --nodeid and serves no Node RPCs');
    return this.nodeId;
  }
}

/** A record as csi.v1.Volume. */
export function toWireVolume(record: VolumeRecord): Volume {
  const { spec } = record;
  const content_source = spec.contentSource?.snapshotId
    ? { snapshot: { snapshot_id: spec.contentSource.snapshotId } }
    : spec.contentSource?.volumeId
      ? { volume: { volume_id: spec.contentSource.volumeId } }
      : null;
  const accessible_topology: Topology[] = spec.accessibleTopology ? [{ segments: { ...spec.accessibleTopology } }] : [];
  return {
    capacity_bytes: String(spec.capacityBytes),
    volume_id: spec.volumeId,
    volume_context: { ...spec.volumeContext },
    content_source,
    accessible_topology,
  };
}
