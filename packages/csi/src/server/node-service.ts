import { allowsSeveralTargetsPerNode, isReaderOnly } from '../csi/access-modes.js';
import { capabilityKey, normalizeCapability } from '../csi/capability.js';
import type {
  CapacityRange,
  NodePublishVolumeRequest,
  NodeStageVolumeRequest,
  NodeUnpublishVolumeRequest,
  NodeUnstageVolumeRequest,
  VolumeCapability,
} from '../csi/types.js';
import { checkId, checkPath } from '../csi/validation.js';
import { rpcError } from '../errors.js';
import type { DriverContext } from './context.js';
import { growVolume, optionalExpansionTarget } from './controller-expand.js';
import { emptyNodeUse, type NodeMount, type VolumeRecord } from './records.js';

/** A CO path that must stay outside the state dir (else a client could touch volume data through it). */
function coPath(ctx: DriverContext, value: string | undefined, field: string): string {
  const path = checkPath(value, field);
  if (ctx.storage.contains(path)) throw rpcError.invalidArgument(`${field} "${path}" is inside the driver's state dir`);
  return path;
}

function nodeUse(record: VolumeRecord, nodeId: string) {
  return record.status.nodes[nodeId] ?? emptyNodeUse();
}

/**
 * NodeStageVolume: bookkeeping plus the staging directory (which the CO normally creates). The
 * volume must be ControllerPublished to this node first (PUBLISH_UNPUBLISH_VOLUME is advertised);
 * same path and capability again is OK, another capability is ALREADY_EXISTS (spec §NodeStageVolume).
 */
export async function nodeStageVolume(ctx: DriverContext, request: NodeStageVolumeRequest) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const stagingPath = coPath(ctx, request.staging_target_path, 'staging_target_path');
  const capability = normalizeCapability(request.volume_capability, 'volume_capability');
  const nodeId = ctx.requireNode();
  return ctx.locks.run(volumeId, async () => {
    const record = await ctx.requireVolume(volumeId);
    if (capability.accessType !== record.spec.accessType) {
      throw rpcError.failedPrecondition(
        `volume ${volumeId} is a ${record.spec.accessType} volume and cannot be staged for ${capability.accessType} access`,
      );
    }
    if (!record.status.published[nodeId]) {
      throw rpcError.failedPrecondition(
        `volume ${volumeId} is not published to node ${nodeId}; call ControllerPublishVolume first`,
      );
    }
    const key = capabilityKey(capability);
    const staged = nodeUse(record, nodeId).staged;
    if (staged[stagingPath] !== undefined) {
      if (staged[stagingPath] === key) return {};
      throw rpcError.alreadyExists(`volume ${volumeId} is already staged at ${stagingPath} with another capability`);
    }
    const elsewhere = Object.keys(staged)[0];
    if (elsewhere) throw rpcError.failedPrecondition(`volume ${volumeId} is already staged on node ${nodeId} at ${elsewhere}`);
    await ctx.storage.ensureDir(stagingPath);
    await ctx.book.updateVolume(volumeId, (current) => {
      const use = nodeUse(current, nodeId);
      use.staged[stagingPath] = key;
      current.status.nodes[nodeId] = use;
      return current;
    });
    return {};
  });
}

/** NodeUnstageVolume: not staged there is OK; still published from that staging path is FAILED_PRECONDITION. */
export async function nodeUnstageVolume(ctx: DriverContext, request: NodeUnstageVolumeRequest) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const stagingPath = coPath(ctx, request.staging_target_path, 'staging_target_path');
  const nodeId = ctx.requireNode();
  return ctx.locks.run(volumeId, async () => {
    const record = await ctx.requireVolume(volumeId);
    const use = nodeUse(record, nodeId);
    if (use.staged[stagingPath] === undefined) return {};
    const target = Object.entries(use.mounts).find(([, m]) => m.stagingPath === stagingPath)?.[0];
    if (target)
      throw rpcError.failedPrecondition(`volume ${volumeId} is still published at ${target}; NodeUnpublishVolume it first`);
    await ctx.book.updateVolume(volumeId, (current) => {
      const now = nodeUse(current, nodeId);
      delete now.staged[stagingPath];
      current.status.nodes[nodeId] = now;
      return current;
    });
    return {};
  });
}

/**
 * NodePublishVolume: makes `target_path` (the SP creates it) a link to the volume's data. Repeats
 * follow the spec's table: same target and arguments OK, same target with other arguments
 * ALREADY_EXISTS, another target FAILED_PRECONDITION unless the mode allows several per node.
 * A reader-only mode publishes read-only even when `readonly` is false.
 */
export async function nodePublishVolume(ctx: DriverContext, request: NodePublishVolumeRequest) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const targetPath = coPath(ctx, request.target_path, 'target_path');
  const capability = normalizeCapability(request.volume_capability, 'volume_capability');
  if (!request.staging_target_path) {
    throw rpcError.failedPrecondition('staging_target_path is required: this plugin has STAGE_UNSTAGE_VOLUME');
  }
  const stagingPath = coPath(ctx, request.staging_target_path, 'staging_target_path');
  const nodeId = ctx.requireNode();
  return ctx.locks.run(volumeId, async () => {
    const record = await ctx.requireVolume(volumeId);
    if (capability.accessType !== record.spec.accessType) {
      throw rpcError.failedPrecondition(
        `volume ${volumeId} is a ${record.spec.accessType} volume and cannot be published for ${capability.accessType} access`,
      );
    }
    const use = nodeUse(record, nodeId);
    if (use.staged[stagingPath] === undefined) {
      throw rpcError.failedPrecondition(
        `volume ${volumeId} is not staged at ${stagingPath} on node ${nodeId}; call NodeStageVolume first`,
      );
    }
    const mount: NodeMount = {
      readonly: request.readonly === true || isReaderOnly(capability.mode),
      capability: capabilityKey(capability),
      mode: capability.mode,
      stagingPath,
    };
    const existing = use.mounts[targetPath];
    if (existing) {
      if (
        existing.capability === mount.capability &&
        existing.readonly === mount.readonly &&
        existing.stagingPath === stagingPath
      ) {
        await ctx.storage.link(record.spec.dataPath, targetPath);
        return {};
      }
      throw rpcError.alreadyExists(`volume ${volumeId} is already published at ${targetPath} with other arguments`);
    }
    const other = Object.keys(use.mounts)[0];
    if (other && !allowsSeveralTargetsPerNode(capability.mode)) {
      throw rpcError.failedPrecondition(
        `volume ${volumeId} is already published at ${other} and access mode ${capability.mode} allows one target per node`,
      );
    }
    await ctx.storage.link(record.spec.dataPath, targetPath);
    try {
      await ctx.book.updateVolume(volumeId, (current) => {
        const now = nodeUse(current, nodeId);
        now.mounts[targetPath] = mount;
        current.status.nodes[nodeId] = now;
        return current;
      });
    } catch (error) {
      await ctx.storage.unlink(targetPath);
      throw error;
    }
    return {};
  });
}

/** NodeUnpublishVolume: removes the target path (csi-sanity checks it is gone); not published there is OK. */
export async function nodeUnpublishVolume(ctx: DriverContext, request: NodeUnpublishVolumeRequest) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const targetPath = coPath(ctx, request.target_path, 'target_path');
  const nodeId = ctx.requireNode();
  return ctx.locks.run(volumeId, async () => {
    const record = await ctx.requireVolume(volumeId);
    if (!nodeUse(record, nodeId).mounts[targetPath]) return {};
    await ctx.storage.unlink(targetPath);
    await ctx.book.updateVolume(volumeId, (current) => {
      const now = nodeUse(current, nodeId);
      delete now.mounts[targetPath];
      current.status.nodes[nodeId] = now;
      return current;
    });
    return {};
  });
}

/** The volume must be published or staged at `path` on this node (spec: else NOT_FOUND). */
function requireNodePath(record: VolumeRecord, nodeId: string, path: string): void {
  const use = nodeUse(record, nodeId);
  if (use.mounts[path] === undefined && use.staged[path] === undefined) {
    throw rpcError.notFound(`volume ${record.spec.volumeId} is not published or staged at ${path} on node ${nodeId}`);
  }
}

/**
 * NodeGetVolumeStats: real bytes (allocated blocks) and inodes used by the volume's data; total is
 * the provisioned size. A directory has no quota, so writes past the size succeed on disk: kemu
 * detects it here and reports `volume_condition.abnormal` with the overrun.
 */
export async function nodeGetVolumeStats(
  ctx: DriverContext,
  request: { volume_id?: string; volume_path?: string; staging_target_path?: string },
) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const volumePath = checkPath(request.volume_path, 'volume_path');
  const nodeId = ctx.requireNode();
  const record = await ctx.requireVolume(volumeId);
  requireNodePath(record, nodeId, volumePath);
  const data = ctx.storage.absolute(record.spec.dataPath);
  if (!(await ctx.storage.exists(data))) {
    return {
      usage: [],
      volume_condition: { abnormal: true, message: `volume data ${record.spec.dataPath} is missing from the state dir` },
    };
  }
  const used = await ctx.storage.usage(record.spec.dataPath);
  const inodes = await ctx.storage.inodeTotals();
  const total = record.spec.capacityBytes;
  const over = used.bytes > total;
  return {
    usage: [
      { unit: 'BYTES', total: String(total), used: String(used.bytes), available: String(Math.max(0, total - used.bytes)) },
      { unit: 'INODES', total: String(inodes.total), used: String(used.inodes), available: String(inodes.free) },
    ],
    volume_condition: over
      ? { abnormal: true, message: `over capacity: ${used.bytes} bytes used of ${total} provisioned` }
      : { abnormal: false, message: 'volume is healthy' },
  };
}

/** NodeExpandVolume: grows the recorded size (and a block file) when a range asks for more. */
export async function nodeExpandVolume(
  ctx: DriverContext,
  request: {
    volume_id?: string;
    volume_path?: string;
    capacity_range?: CapacityRange | null;
    volume_capability?: VolumeCapability | null;
  },
) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const volumePath = checkPath(request.volume_path, 'volume_path');
  const target = optionalExpansionTarget(request.capacity_range);
  const nodeId = ctx.requireNode();
  return ctx.locks.run(volumeId, async () => {
    const record = await ctx.requireVolume(volumeId);
    requireNodePath(record, nodeId, volumePath);
    const capacity = await growVolume(ctx, volumeId, target ?? 0, request.volume_capability);
    return { capacity_bytes: String(capacity) };
  });
}

/** NodeGetCapabilities. */
export function nodeCapabilities() {
  const types = ['STAGE_UNSTAGE_VOLUME', 'GET_VOLUME_STATS', 'EXPAND_VOLUME', 'VOLUME_CONDITION', 'SINGLE_NODE_MULTI_WRITER'];
  return { capabilities: types.map((type) => ({ rpc: { type } })) };
}
