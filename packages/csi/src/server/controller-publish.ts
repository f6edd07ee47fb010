import { isMultiNode } from '../csi/access-modes.js';
import { capabilityKey, normalizeCapability } from '../csi/capability.js';
import type { ControllerPublishVolumeRequest, ControllerUnpublishVolumeRequest } from '../csi/types.js';
import { checkId, checkNodeId } from '../csi/validation.js';
import { rpcError } from '../errors.js';
import type { DriverContext } from './context.js';
import type { PublishedNode, VolumeRecord } from './records.js';

/** Publish-context keys kemu hands the CO (stored by Kubernetes as attachmentMetadata). */
export const publishContextKeys = {
  node: 'csi.kemu.dev/node',
  dataPath: 'csi.kemu.dev/data-path',
  readonly: 'csi.kemu.dev/readonly',
} as const;

/** Whether a node exists in the lab: registered by its node plugin, or a Node object of that name. */
async function nodeKnown(ctx: DriverContext, nodeId: string): Promise<{ maxVolumes: number } | undefined> {
  const record = await ctx.book.node(nodeId);
  if (record) return { maxVolumes: record.spec.maxVolumesPerNode };
  if (nodeId === ctx.nodeId) return { maxVolumes: ctx.maxVolumesPerNode };
  const node = await ctx.book.store.get({ kind: 'Node', name: nodeId });
  return node ? { maxVolumes: 0 } : undefined;
}

/** The node a conflicting publish lives on, if the new publish may not coexist with the others. */
function conflictingNode(record: VolumeRecord, nodeId: string, exclusive: boolean): string | undefined {
  for (const [other, published] of Object.entries(record.status.published)) {
    if (other === nodeId) continue;
    if (exclusive || !isMultiNode(published.mode)) return other;
  }
  return undefined;
}

/** Claims one of the node's attach slots for the volume (idempotent), or undefined when all are taken. */
async function claimSlot(ctx: DriverContext, nodeId: string, volumeId: string, limit: number): Promise<number | undefined> {
  for (let slot = 0; slot < limit; slot++) {
    const result = await ctx.book.claim(ctx.book.keys.slot(nodeId, slot), volumeId);
    if (result.claimed) return slot;
  }
  return undefined;
}

/**
 * ControllerPublishVolume for any node of the lab (spec §ControllerPublishVolume). A single-node
 * mode takes the volume's exclusive claim atomically in the store, so of concurrent publishes to
 * different nodes exactly one wins and the others get FAILED_PRECONDITION naming the winner; the
 * record update is compare-and-swap and re-checks the same rule, and a failed publish releases
 * everything it claimed, so nothing is left half-attached.
 */
export async function controllerPublishVolume(ctx: DriverContext, request: ControllerPublishVolumeRequest) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const nodeId = checkNodeId(request.node_id);
  const capability = normalizeCapability(request.volume_capability, 'volume_capability');
  const readonly = request.readonly === true;
  return ctx.locks.run(volumeId, async () => {
    const record = await ctx.requireVolume(volumeId);
    const node = await nodeKnown(ctx, nodeId);
    if (!node) throw rpcError.notFound(`node ${nodeId} does not exist in this lab`);
    if (capability.accessType !== record.spec.accessType) {
      throw rpcError.invalidArgument(`volume ${volumeId} is a ${record.spec.accessType} volume, not ${capability.accessType}`);
    }
    const key = capabilityKey(capability);
    const existing = record.status.published[nodeId];
    if (existing) {
      if (existing.capability === key && existing.readonly === readonly) return { publish_context: existing.publishContext };
      throw rpcError.alreadyExists(
        `volume ${volumeId} is already published to node ${nodeId} with another capability or readonly flag`,
      );
    }
    const exclusive = !isMultiNode(capability.mode);
    const conflict = conflictingNode(record, nodeId, exclusive);
    if (conflict) {
      throw rpcError.failedPrecondition(
        `volume ${volumeId} is published to node ${conflict} and its access mode does not allow another node`,
      );
    }
    const exclusiveKey = ctx.book.keys.exclusive(volumeId);
    const held = await (exclusive
      ? ctx.book.claim(exclusiveKey, nodeId)
      : ctx.book.store.holderOf(exclusiveKey).then((h) => ({ claimed: !h, holder: h ?? '' })));
    if (!held.claimed && held.holder !== nodeId) {
      throw rpcError.failedPrecondition(
        `volume ${volumeId} is published to node ${held.holder} and its access mode does not allow another node`,
      );
    }
    let slot: number | undefined;
    try {
      if (node.maxVolumes > 0) {
        slot = await claimSlot(ctx, nodeId, volumeId, node.maxVolumes);
        if (slot === undefined)
          throw rpcError.resourceExhausted(`node ${nodeId} already has its maximum of ${node.maxVolumes} volumes attached`);
      }
      const publishContext = {
        [publishContextKeys.node]: nodeId,
        [publishContextKeys.dataPath]: record.spec.dataPath,
        [publishContextKeys.readonly]: String(readonly),
      };
      const entry: PublishedNode = {
        readonly,
        mode: capability.mode,
        capability: key,
        publishContext,
        ...(slot !== undefined ? { slot } : {}),
      };
      const updated = await ctx.book.updateVolume(volumeId, (current) => {
        if (current.status.published[nodeId]) return undefined;
        const other = conflictingNode(current, nodeId, exclusive);
        if (other)
          throw rpcError.failedPrecondition(
            `volume ${volumeId} is published to node ${other} and its access mode does not allow another node`,
          );
        current.status.published[nodeId] = entry;
        return current;
      });
      return { publish_context: updated.status.published[nodeId]!.publishContext };
    } catch (error) {
      if (slot !== undefined) await ctx.book.release(ctx.book.keys.slot(nodeId, slot), volumeId);
      if (exclusive) await ctx.book.release(exclusiveKey, nodeId);
      throw error;
    }
  });
}

/**
 * ControllerUnpublishVolume: empty node_id means every node; not published (or an unknown volume
 * or node, which can be regarded as unpublished) is OK (spec §ControllerUnpublishVolume).
 */
export async function controllerUnpublishVolume(ctx: DriverContext, request: ControllerUnpublishVolumeRequest) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const only = request.node_id ? checkNodeId(request.node_id) : undefined;
  return ctx.locks.run(volumeId, async () => {
    const record = await ctx.book.volume(volumeId);
    if (!record) return {};
    const nodes = only ? [only] : Object.keys(record.status.published);
    const removed: [string, PublishedNode][] = [];
    await ctx.book.updateVolume(volumeId, (current) => {
      removed.length = 0;
      for (const node of nodes) {
        const published = current.status.published[node];
        if (!published) continue;
        removed.push([node, published]);
        delete current.status.published[node];
      }
      return removed.length > 0 ? current : undefined;
    });
    for (const [node, published] of removed) {
      if (published.slot !== undefined) await ctx.book.release(ctx.book.keys.slot(node, published.slot), volumeId);
      await ctx.book.release(ctx.book.keys.exclusive(volumeId), node);
    }
    return {};
  });
}
