import { normalizeCapability } from '../csi/capability.js';
import { int64 } from '../csi/capacity.js';
import type { CapacityRange, VolumeCapability } from '../csi/types.js';
import { checkId, checkMap, requireString } from '../csi/validation.js';
import { rpcError } from '../errors.js';
import type { DriverContext } from './context.js';
import { allocatedBytes } from './controller-volumes.js';

// Volume expansion (spec §ControllerExpandVolume, §NodeExpandVolume; kemu advertises ONLINE) and
// ControllerModifyVolume.

/** The target size of an expansion range. */
function expansionTarget(range: CapacityRange | null | undefined): number {
  if (!range) throw rpcError.invalidArgument('capacity_range is required');
  const required = int64(range.required_bytes, 'capacity_range.required_bytes');
  const limit = int64(range.limit_bytes, 'capacity_range.limit_bytes');
  if (required < 0 || limit < 0) throw rpcError.invalidArgument('capacity_range must not be negative');
  if (limit > 0 && required > limit)
    throw rpcError.invalidArgument(`capacity_range: required_bytes ${required} > limit_bytes ${limit}`);
  const target = required > 0 ? required : limit;
  if (target === 0) throw rpcError.invalidArgument('capacity_range needs required_bytes or limit_bytes');
  return target;
}

/** Grows a volume's recorded size (and a block volume's file) to `target` under the volume lock. */
export async function growVolume(
  ctx: DriverContext,
  volumeId: string,
  target: number,
  capability?: VolumeCapability | null,
): Promise<number> {
  const record = await ctx.requireVolume(volumeId);
  if (capability) {
    const c = normalizeCapability(capability, 'volume_capability');
    if (c.accessType !== record.spec.accessType)
      throw rpcError.invalidArgument(`volume ${volumeId} is ${record.spec.accessType}, not ${c.accessType}`);
  }
  if (target <= record.spec.capacityBytes) return record.spec.capacityBytes;
  if (target > ctx.maxVolumeSizeBytes)
    throw rpcError.outOfRange(`${target} bytes is more than the maximum volume size ${ctx.maxVolumeSizeBytes}`);
  const grow = target - record.spec.capacityBytes;
  const available = ctx.capacityBytes - (await allocatedBytes(ctx));
  if (grow > available)
    throw rpcError.outOfRange(`cannot grow volume ${volumeId} by ${grow} bytes: ${Math.max(0, available)} bytes left`);
  await ctx.storage.resize(record.spec.dataPath, record.spec.accessType, target);
  const updated = await ctx.book.updateVolume(volumeId, (current) => {
    if (current.spec.capacityBytes >= target) return undefined;
    current.spec.capacityBytes = target;
    return current;
  });
  return updated.spec.capacityBytes;
}

/**
 * ControllerExpandVolume: ONLINE expansion, so published volumes grow too; already big enough is
 * OK. The emulated volume has no file system to resize, so no NodeExpandVolume is required.
 */
export async function controllerExpandVolume(
  ctx: DriverContext,
  request: { volume_id?: string; capacity_range?: CapacityRange | null; volume_capability?: VolumeCapability | null },
) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const target = expansionTarget(request.capacity_range);
  return ctx.locks.run(volumeId, async () => {
    const capacity = await growVolume(ctx, volumeId, target, request.volume_capability);
    return { capacity_bytes: String(capacity), node_expansion_required: false };
  });
}

/** The target size of an optional expansion range (NodeExpandVolume). */
export function optionalExpansionTarget(range: CapacityRange | null | undefined): number | undefined {
  if (!range || (int64(range.required_bytes, 'r') === 0 && int64(range.limit_bytes, 'l') === 0)) return undefined;
  return expansionTarget(range);
}

/** ControllerModifyVolume: merges mutable parameters; nothing changes when the request is invalid. */
export async function controllerModifyVolume(
  ctx: DriverContext,
  request: { volume_id?: string; mutable_parameters?: Record<string, string> },
) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  const mutable = checkMap(request.mutable_parameters, 'mutable_parameters');
  if (Object.keys(mutable).length === 0) throw rpcError.invalidArgument('mutable_parameters is required (at least one entry)');
  for (const key of Object.keys(mutable)) requireString(key, 'mutable_parameters key');
  return ctx.locks.run(volumeId, async () => {
    await ctx.requireVolume(volumeId);
    await ctx.book.updateVolume(volumeId, (current) => {
      current.spec.mutableParameters = { ...current.spec.mutableParameters, ...mutable };
      return current;
    });
    return {};
  });
}
