import { randomUUID } from 'node:crypto';
import type { Snapshot } from '../csi/types.js';
import { checkId, checkMap, checkName } from '../csi/validation.js';
import { rpcError } from '../errors.js';
import type { DriverContext } from './context.js';
import { page } from './paging.js';
import type { SnapshotRecord } from './records.js';

/** A record as csi.v1.Snapshot. */
function toWireSnapshot(record: SnapshotRecord): Snapshot {
  const millis = Date.parse(record.spec.creationTime);
  return {
    size_bytes: String(record.spec.sizeBytes),
    snapshot_id: record.spec.snapshotId,
    source_volume_id: record.spec.sourceVolumeId,
    creation_time: { seconds: String(Math.floor(millis / 1000)), nanos: (millis % 1000) * 1_000_000 },
    ready_to_use: true,
    group_snapshot_id: '',
  };
}

/**
 * CreateSnapshot: idempotent on `name`; the same name for another source is ALREADY_EXISTS; the
 * snapshot is a full copy, cut synchronously, so it is ready at once (spec §CreateSnapshot).
 */
export async function createSnapshot(
  ctx: DriverContext,
  request: { source_volume_id?: string; name?: string; parameters?: Record<string, string> },
) {
  const sourceVolumeId = checkId(request.source_volume_id, 'source_volume_id');
  const name = checkName(request.name, 'name');
  const parameters = checkMap(request.parameters, 'parameters');
  return ctx.locks.run(`snapshot-name:${name}`, async () => {
    const snapshotId = `snap-${randomUUID()}`;
    const claim = await ctx.book.claim(ctx.book.keys.snapshotName(name), snapshotId);
    if (!claim.claimed) {
      const existing = await ctx.book.snapshot(claim.holder);
      if (!existing) throw rpcError.aborted(`snapshot name "${name}" is being created by another call; retry`);
      if (existing.spec.sourceVolumeId !== sourceVolumeId) {
        throw rpcError.alreadyExists(
          `snapshot "${name}" exists for volume ${existing.spec.sourceVolumeId}, not ${sourceVolumeId}`,
        );
      }
      return { snapshot: toWireSnapshot(existing) };
    }
    let dataPath: string | undefined;
    try {
      const record = await ctx.locks.run(sourceVolumeId, async () => {
        const source = await ctx.book.volume(sourceVolumeId);
        if (!source) throw rpcError.notFound(`source volume ${sourceVolumeId} does not exist`);
        dataPath = ctx.storage.snapshotPath(snapshotId, source.spec.accessType);
        await ctx.storage.copyData(source.spec.dataPath, dataPath);
        return ctx.book.createSnapshot({
          snapshotId,
          name,
          sourceVolumeId,
          sizeBytes: source.spec.capacityBytes,
          accessType: source.spec.accessType,
          creationTime: new Date().toISOString(),
          dataPath,
          parameters,
        });
      });
      return { snapshot: toWireSnapshot(record) };
    } catch (error) {
      if (dataPath) await ctx.storage.removeData(dataPath).catch(() => undefined);
      await ctx.book.release(ctx.book.keys.snapshotName(name), snapshotId);
      throw error;
    }
  });
}

/** DeleteSnapshot: unknown snapshot is OK (spec §DeleteSnapshot). Volumes made from it are copies, so it is never in use. */
export async function deleteSnapshot(ctx: DriverContext, request: { snapshot_id?: string }) {
  const snapshotId = checkId(request.snapshot_id, 'snapshot_id');
  return ctx.locks.run(snapshotId, async () => {
    const record = await ctx.book.snapshot(snapshotId);
    if (!record) return {};
    await ctx.book.deleteSnapshot(snapshotId);
    await ctx.storage.removeData(record.spec.dataPath);
    await ctx.book.release(ctx.book.keys.snapshotName(record.spec.name), snapshotId);
    return {};
  });
}

/** ListSnapshots: filters by id or source (no match is an empty list), pages like ListVolumes. */
export async function listSnapshots(
  ctx: DriverContext,
  request: { max_entries?: number; starting_token?: string; source_volume_id?: string; snapshot_id?: string },
) {
  let records = await ctx.book.snapshots();
  if (request.snapshot_id) records = records.filter((r) => r.spec.snapshotId === request.snapshot_id);
  if (request.source_volume_id) records = records.filter((r) => r.spec.sourceVolumeId === request.source_volume_id);
  const { entries, nextToken } = page(records, (r) => r.spec.snapshotId, request.max_entries ?? 0, request.starting_token ?? '');
  return { entries: entries.map((r) => ({ snapshot: toWireSnapshot(r) })), next_token: nextToken };
}

/** GetSnapshot (alpha): NOT_FOUND for an unknown id. */
export async function getSnapshot(ctx: DriverContext, request: { snapshot_id?: string }) {
  const snapshotId = checkId(request.snapshot_id, 'snapshot_id');
  const record = await ctx.book.snapshot(snapshotId);
  if (!record) throw rpcError.notFound(`snapshot ${snapshotId} does not exist`);
  return { snapshot: toWireSnapshot(record) };
}
