import { randomUUID } from 'node:crypto';
import { capabilityKey, normalizeCapabilities, normalizeCapability, toWireCapability } from '../csi/capability.js';
import { capacityFits, resolveCapacity } from '../csi/capacity.js';
import { chooseTopology, satisfiesRequisite, segmentsWithin, topologyKey } from '../csi/topology.js';
import type { CreateVolumeRequest, DeleteVolumeRequest, Topology, Volume, VolumeCapability } from '../csi/types.js';
import { checkId, checkMap, checkName } from '../csi/validation.js';
import { rpcError } from '../errors.js';
import { type DriverContext, toWireVolume } from './context.js';
import { page } from './paging.js';
import type { VolumeRecord } from './records.js';

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  return topologyKey(a) === topologyKey(b);
}

function parseSource(request: CreateVolumeRequest): { snapshotId?: string; volumeId?: string } | undefined {
  const source = request.volume_content_source;
  if (source?.snapshot) return { snapshotId: checkId(source.snapshot.snapshot_id, 'volume_content_source.snapshot.snapshot_id') };
  if (source?.volume) return { volumeId: checkId(source.volume.volume_id, 'volume_content_source.volume.volume_id') };
  return undefined;
}

/** Sum of provisioned sizes: the capacity already promised. */
export async function allocatedBytes(ctx: DriverContext): Promise<number> {
  return (await ctx.book.volumes()).reduce((sum, v) => sum + v.spec.capacityBytes, 0);
}

/**
 * CreateVolume (spec §CreateVolume): idempotent on `name` through an atomic store claim, so two
 * drivers racing on one name create one volume; an incompatible repeat is ALREADY_EXISTS.
 */
export async function createVolume(ctx: DriverContext, request: CreateVolumeRequest): Promise<{ volume: Volume }> {
  const name = checkName(request.name, 'name');
  const capabilities = normalizeCapabilities(request.volume_capabilities, 'volume_capabilities');
  const parameters = checkMap(request.parameters, 'parameters');
  const mutableParameters = checkMap(request.mutable_parameters, 'mutable_parameters');
  const size = resolveCapacity(request.capacity_range, {
    defaultBytes: ctx.defaultVolumeSizeBytes,
    maxBytes: ctx.maxVolumeSizeBytes,
  });
  const source = parseSource(request);
  const topology = chooseTopology(request.accessibility_requirements);
  const accessType = capabilities[0]!.accessType;

  return ctx.locks.run(`volume-name:${name}`, async () => {
    const volumeId = `vol-${randomUUID()}`;
    const claim = await ctx.book.claim(ctx.book.keys.volumeName(name), volumeId);
    if (!claim.claimed) {
      const existing = await ctx.book.volume(claim.holder);
      if (!existing) throw rpcError.aborted(`volume name "${name}" is being created by another call; retry`);
      const { spec } = existing;
      const compatible =
        spec.accessType === accessType &&
        (!request.capacity_range || capacityFits(spec.capacityBytes, request.capacity_range)) &&
        sameMap(spec.parameters, parameters) &&
        sameMap(spec.mutableParameters, mutableParameters) &&
        JSON.stringify(spec.contentSource ?? null) === JSON.stringify(source ?? null) &&
        satisfiesRequisite(spec.accessibleTopology, request.accessibility_requirements?.requisite);
      if (!compatible) {
        throw rpcError.alreadyExists(
          `volume "${name}" exists as ${spec.volumeId} (${spec.capacityBytes} bytes, ${spec.accessType}) and does not match this request`,
        );
      }
      return { volume: toWireVolume(existing) };
    }
    const dataPath = ctx.storage.volumePath(volumeId, accessType);
    try {
      let sourceData: string | undefined;
      if (source?.snapshotId) {
        const snapshot = await ctx.book.snapshot(source.snapshotId);
        if (!snapshot) throw rpcError.notFound(`snapshot ${source.snapshotId} does not exist`);
        if (snapshot.spec.accessType !== accessType) {
          throw rpcError.invalidArgument(
            `snapshot ${source.snapshotId} is of a ${snapshot.spec.accessType} volume, not ${accessType}`,
          );
        }
        if (size < snapshot.spec.sizeBytes) {
          throw rpcError.outOfRange(
            `${size} bytes is smaller than snapshot ${source.snapshotId} (${snapshot.spec.sizeBytes} bytes)`,
          );
        }
        sourceData = snapshot.spec.dataPath;
      } else if (source?.volumeId) {
        const origin = await ctx.book.volume(source.volumeId);
        if (!origin) throw rpcError.notFound(`source volume ${source.volumeId} does not exist`);
        if (origin.spec.accessType !== accessType) {
          throw rpcError.invalidArgument(`source volume ${source.volumeId} is ${origin.spec.accessType}, not ${accessType}`);
        }
        if (size < origin.spec.capacityBytes) {
          throw rpcError.outOfRange(
            `${size} bytes is smaller than source volume ${source.volumeId} (${origin.spec.capacityBytes} bytes)`,
          );
        }
        sourceData = origin.spec.dataPath;
      }
      const available = ctx.capacityBytes - (await allocatedBytes(ctx));
      if (size > available) {
        throw rpcError.resourceExhausted(
          `not enough capacity for ${size} bytes: ${Math.max(0, available)} of ${ctx.capacityBytes} bytes left`,
        );
      }
      await ctx.storage.createData(dataPath, accessType, size, sourceData);
      const record = await ctx.book.createVolume({
        volumeId,
        name,
        capacityBytes: size,
        accessType,
        capabilities: capabilities.map(capabilityKey),
        parameters,
        mutableParameters,
        volumeContext: { 'csi.kemu.dev/access-type': accessType },
        ...(source ? { contentSource: source } : {}),
        ...(topology ? { accessibleTopology: topology } : {}),
        dataPath,
      });
      return { volume: toWireVolume(record) };
    } catch (error) {
      await ctx.storage.removeData(dataPath).catch(() => undefined);
      await ctx.book.release(ctx.book.keys.volumeName(name), volumeId);
      throw error;
    }
  });
}

/** Whether any node still uses the volume (published, staged or mounted). */
export function volumeInUse(record: VolumeRecord): string | undefined {
  const published = Object.keys(record.status.published);
  if (published.length > 0) return `published to node ${published.join(', ')}`;
  for (const [node, use] of Object.entries(record.status.nodes)) {
    if (Object.keys(use.staged).length > 0 || Object.keys(use.mounts).length > 0) return `staged or published on node ${node}`;
  }
  return undefined;
}

/**
 * DeleteVolume: unknown volume is OK (idempotent); a volume still in use is FAILED_PRECONDITION and
 * left untouched (spec §DeleteVolume; csi-driver-host-path answers INTERNAL here).
 */
export async function deleteVolume(ctx: DriverContext, request: DeleteVolumeRequest): Promise<Record<string, never>> {
  const volumeId = checkId(request.volume_id, 'volume_id');
  return ctx.locks.run(volumeId, async () => {
    const record = await ctx.book.volume(volumeId);
    if (!record) return {};
    const inUse = volumeInUse(record);
    if (inUse) throw rpcError.failedPrecondition(`volume ${volumeId} is still ${inUse}`);
    await ctx.book.deleteVolume(volumeId);
    await ctx.storage.removeData(record.spec.dataPath);
    await ctx.book.release(ctx.book.keys.volumeName(record.spec.name), volumeId);
    return {};
  });
}

/**
 * ValidateVolumeCapabilities: `confirmed` only when every capability is supported; unsupported ones
 * are an OK answer with a message, not an error (spec §ValidateVolumeCapabilities).
 */
export async function validateVolumeCapabilities(
  ctx: DriverContext,
  request: {
    volume_id?: string;
    volume_capabilities?: VolumeCapability[];
    volume_context?: Record<string, string>;
    parameters?: Record<string, string>;
    mutable_parameters?: Record<string, string>;
  },
) {
  const volumeId = checkId(request.volume_id, 'volume_id');
  if (!request.volume_capabilities?.length)
    throw rpcError.invalidArgument('volume_capabilities is required (at least one capability)');
  const capabilities = request.volume_capabilities.map((c, i) => normalizeCapability(c, `volume_capabilities[${i}]`));
  const record = await ctx.requireVolume(volumeId);
  const unsupported = capabilities.find((c) => c.accessType !== record.spec.accessType);
  if (unsupported) {
    return {
      confirmed: null,
      message: `volume ${volumeId} is a ${record.spec.accessType} volume and cannot be used with ${unsupported.accessType} access`,
    };
  }
  return {
    confirmed: {
      volume_context: { ...(request.volume_context ?? {}) },
      volume_capabilities: capabilities.map(toWireCapability),
      parameters: { ...(request.parameters ?? {}) },
      mutable_parameters: { ...(request.mutable_parameters ?? {}) },
    },
    message: '',
  };
}

async function volumeStatus(ctx: DriverContext, record: VolumeRecord) {
  const healthy = await ctx.storage.exists(ctx.storage.absolute(record.spec.dataPath));
  return {
    published_node_ids: Object.keys(record.status.published).sort(),
    volume_condition: healthy
      ? { abnormal: false, message: 'volume data is present' }
      : { abnormal: true, message: `volume data ${record.spec.dataPath} is missing from the state dir` },
  };
}

/** ListVolumes with paging; a token kemu did not issue is ABORTED. */
export async function listVolumes(ctx: DriverContext, request: { max_entries?: number; starting_token?: string }) {
  const { entries, nextToken } = page(
    await ctx.book.volumes(),
    (v) => v.spec.volumeId,
    request.max_entries ?? 0,
    request.starting_token ?? '',
  );
  return {
    entries: await Promise.all(
      entries.map(async (record) => ({ volume: toWireVolume(record), status: await volumeStatus(ctx, record) })),
    ),
    next_token: nextToken,
  };
}

/** ControllerGetVolume (GET_VOLUME): NOT_FOUND for a volume that is gone. */
export async function controllerGetVolume(ctx: DriverContext, request: { volume_id?: string }) {
  const record = await ctx.requireVolume(checkId(request.volume_id, 'volume_id'));
  return { volume: toWireVolume(record), status: await volumeStatus(ctx, record) };
}

/**
 * GetCapacity: what is left of the driver's capacity. Every node of a kemu lab shares the state
 * dir's disk, so every known topology sees the same pool; a topology no registered node has gets 0.
 */
export async function getCapacity(
  ctx: DriverContext,
  request: { accessible_topology?: Topology | null; volume_capabilities?: VolumeCapability[] },
) {
  for (const [i, c] of (request.volume_capabilities ?? []).entries()) normalizeCapability(c, `volume_capabilities[${i}]`);
  const segments = request.accessible_topology?.segments ?? {};
  const maximum_volume_size = { value: String(ctx.maxVolumeSizeBytes) };
  if (Object.keys(segments).length > 0) {
    const nodes = await ctx.book.nodes();
    if (!nodes.some((n) => segmentsWithin(segments, n.spec.topology)))
      return { available_capacity: '0', maximum_volume_size, minimum_volume_size: null };
  }
  const available = Math.max(0, ctx.capacityBytes - (await allocatedBytes(ctx)));
  return { available_capacity: String(available), maximum_volume_size, minimum_volume_size: null };
}

/** ControllerGetCapabilities: everything kemu implements. */
export function controllerCapabilities() {
  const types = [
    'CREATE_DELETE_VOLUME',
    'PUBLISH_UNPUBLISH_VOLUME',
    'LIST_VOLUMES',
    'GET_CAPACITY',
    'CREATE_DELETE_SNAPSHOT',
    'LIST_SNAPSHOTS',
    'CLONE_VOLUME',
    'PUBLISH_READONLY',
    'EXPAND_VOLUME',
    'LIST_VOLUMES_PUBLISHED_NODES',
    'VOLUME_CONDITION',
    'GET_VOLUME',
    'SINGLE_NODE_MULTI_WRITER',
    'MODIFY_VOLUME',
    'GET_SNAPSHOT',
  ];
  return { capabilities: types.map((type) => ({ rpc: { type } })) };
}
