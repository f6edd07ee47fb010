import type {
  CapacityRange,
  ControllerPublishVolumeRequest,
  ControllerUnpublishVolumeRequest,
  CreateVolumeRequest,
  CsiControllerApi,
  CsiNodeApi,
  DeleteVolumeRequest,
  NodePublishVolumeRequest,
  NodeStageVolumeRequest,
  NodeUnpublishVolumeRequest,
  NodeUnstageVolumeRequest,
  Topology,
  VolumeCapability,
} from '../csi/types.js';
import { checkNodeId } from '../csi/validation.js';
import { CsiConfigError } from '../errors.js';
import { type CsiDriverOptions, DriverContext } from './context.js';
import * as expand from './controller-expand.js';
import { controllerPublishVolume, controllerUnpublishVolume } from './controller-publish.js';
import * as volumes from './controller-volumes.js';
import { getPluginCapabilities, getPluginInfo, nodeGetInfo, probe } from './identity.js';
import * as node from './node-service.js';
import { loadState, StateWriter } from './persist.js';
import * as snapshots from './snapshots.js';

/** Options of a driver, plus whether it keeps a state file in the state dir. */
export interface CsiDriverConfig extends CsiDriverOptions {
  /**
   * Keep the records in `<stateDir>/kemu-csi-state.json` too, loaded on start and rewritten after
   * each change, so a driver on a memory store survives a restart (default false; use it when
   * the store is not shared).
   */
  persistState?: boolean;
}

/**
 * A CSI plugin (Identity, Controller and Node) over directories in a state dir, with its records
 * in a @kemu/core Store. Its methods are the RPCs, callable in-process; `serveCsiDriver` puts them
 * on a unix socket.
 */
export class CsiDriver implements CsiControllerApi, CsiNodeApi {
  /** Shared state of the services. */
  readonly ctx: DriverContext;
  private readonly writer: StateWriter | undefined;
  private started = false;

  constructor(config: CsiDriverConfig) {
    if (config.nodeId) checkNodeId(config.nodeId, '--nodeid');
    if ((config.maxVolumesPerNode ?? 0) < 0) throw new CsiConfigError('max volumes per node must not be negative');
    this.ctx = new DriverContext(config);
    this.writer = config.persistState ? new StateWriter(this.ctx.book, this.ctx.storage.root) : undefined;
  }

  /** Driver name (GetPluginInfo). */
  get name(): string {
    return this.ctx.driverName;
  }

  /** Creates the state dir, loads a state file when persisting, and registers this node. */
  async start(): Promise<this> {
    if (this.started) return this;
    await this.ctx.storage.init();
    if (this.writer) await loadState(this.ctx.book, this.ctx.storage.root);
    if (this.ctx.nodeId) {
      await this.ctx.book.registerNode({
        nodeId: this.ctx.nodeId,
        maxVolumesPerNode: this.ctx.maxVolumesPerNode,
        topology: this.ctx.nodeTopology,
      });
    }
    await this.writer?.save();
    this.started = true;
    return this;
  }

  /** Registers another lab node (what its node plugin does at start) so ControllerPublish accepts it. */
  async registerNode(
    nodeId: string,
    options: { maxVolumesPerNode?: number; topology?: Record<string, string> } = {},
  ): Promise<void> {
    await this.ctx.book.registerNode({
      nodeId,
      maxVolumesPerNode: options.maxVolumesPerNode ?? 0,
      topology: options.topology ?? {},
    });
    await this.writer?.save();
  }

  private async changed<T>(result: Promise<T>): Promise<T> {
    try {
      return await result;
    } finally {
      await this.writer?.save();
    }
  }

  // Identity
  /** GetPluginInfo. */
  async getPluginInfo() {
    return getPluginInfo(this.ctx);
  }
  /** GetPluginCapabilities. */
  async getPluginCapabilities() {
    return getPluginCapabilities();
  }
  /** Probe. */
  async probe() {
    return probe(this.ctx);
  }

  // Controller
  /** CreateVolume. */
  createVolume(request: CreateVolumeRequest) {
    return this.changed(volumes.createVolume(this.ctx, request));
  }
  /** DeleteVolume. */
  deleteVolume(request: DeleteVolumeRequest) {
    return this.changed(volumes.deleteVolume(this.ctx, request));
  }
  /** ControllerPublishVolume. */
  controllerPublishVolume(request: ControllerPublishVolumeRequest) {
    return this.changed(controllerPublishVolume(this.ctx, request));
  }
  /** ControllerUnpublishVolume. */
  controllerUnpublishVolume(request: ControllerUnpublishVolumeRequest) {
    return this.changed(controllerUnpublishVolume(this.ctx, request));
  }
  /** ValidateVolumeCapabilities. */
  validateVolumeCapabilities(request: {
    volume_id?: string;
    volume_capabilities?: VolumeCapability[];
    volume_context?: Record<string, string>;
    parameters?: Record<string, string>;
  }) {
    return volumes.validateVolumeCapabilities(this.ctx, request);
  }
  /** ListVolumes. */
  listVolumes(request: { max_entries?: number; starting_token?: string } = {}) {
    return volumes.listVolumes(this.ctx, request);
  }
  /** GetCapacity. */
  getCapacity(request: { accessible_topology?: Topology | null; volume_capabilities?: VolumeCapability[] } = {}) {
    return volumes.getCapacity(this.ctx, request);
  }
  /** ControllerGetCapabilities. */
  async controllerGetCapabilities() {
    return volumes.controllerCapabilities();
  }
  /** CreateSnapshot. */
  createSnapshot(request: { source_volume_id?: string; name?: string; parameters?: Record<string, string> }) {
    return this.changed(snapshots.createSnapshot(this.ctx, request));
  }
  /** DeleteSnapshot. */
  deleteSnapshot(request: { snapshot_id?: string }) {
    return this.changed(snapshots.deleteSnapshot(this.ctx, request));
  }
  /** ListSnapshots. */
  listSnapshots(
    request: { max_entries?: number; starting_token?: string; source_volume_id?: string; snapshot_id?: string } = {},
  ) {
    return snapshots.listSnapshots(this.ctx, request);
  }
  /** GetSnapshot. */
  getSnapshot(request: { snapshot_id?: string }) {
    return snapshots.getSnapshot(this.ctx, request);
  }
  /** ControllerExpandVolume. */
  controllerExpandVolume(request: {
    volume_id?: string;
    capacity_range?: CapacityRange | null;
    volume_capability?: VolumeCapability | null;
  }) {
    return this.changed(expand.controllerExpandVolume(this.ctx, request));
  }
  /** ControllerGetVolume. */
  controllerGetVolume(request: { volume_id?: string }) {
    return volumes.controllerGetVolume(this.ctx, request);
  }
  /** ControllerModifyVolume. */
  controllerModifyVolume(request: { volume_id?: string; mutable_parameters?: Record<string, string> }) {
    return this.changed(expand.controllerModifyVolume(this.ctx, request));
  }

  // Node
  /** NodeStageVolume. */
  nodeStageVolume(request: NodeStageVolumeRequest) {
    return this.changed(node.nodeStageVolume(this.ctx, request));
  }
  /** NodeUnstageVolume. */
  nodeUnstageVolume(request: NodeUnstageVolumeRequest) {
    return this.changed(node.nodeUnstageVolume(this.ctx, request));
  }
  /** NodePublishVolume. */
  nodePublishVolume(request: NodePublishVolumeRequest) {
    return this.changed(node.nodePublishVolume(this.ctx, request));
  }
  /** NodeUnpublishVolume. */
  nodeUnpublishVolume(request: NodeUnpublishVolumeRequest) {
    return this.changed(node.nodeUnpublishVolume(this.ctx, request));
  }
  /** NodeGetVolumeStats. */
  nodeGetVolumeStats(request: { volume_id?: string; volume_path?: string; staging_target_path?: string }) {
    return node.nodeGetVolumeStats(this.ctx, request);
  }
  /** NodeExpandVolume. */
  nodeExpandVolume(request: {
    volume_id?: string;
    volume_path?: string;
    capacity_range?: CapacityRange | null;
    volume_capability?: VolumeCapability | null;
  }) {
    return this.changed(node.nodeExpandVolume(this.ctx, request));
  }
  /** NodeGetCapabilities. */
  async nodeGetCapabilities() {
    return node.nodeCapabilities();
  }
  /** NodeGetInfo. */
  async nodeGetInfo() {
    return nodeGetInfo(this.ctx);
  }
}
