// host-local's ADD / DEL / CHECK over an abstract backend (main.go cmdAdd/cmdDel/cmdCheck and
// allocator.go Get/Release), so the same rules hold for dataDir files, memory and Redis.
import type { IP } from '@kemu/core';
import { IpamAllocationError, IpamError } from '../errors.js';
import type { IpamBackend } from './backend.js';
import type { IpamConfig } from './config.js';
import { RangeIterator } from './iterator.js';
import { formatRangeSet, type RangeSet, rangeFor } from './range.js';

/** One reserved address with its prefix length and gateway, as host-local's `IPConfig`. */
export interface IpAllocation {
  /** The address. */
  readonly ip: IP;
  /** The prefix length of its range's subnet. */
  readonly prefixLength: number;
  /** The gateway of its range. */
  readonly gateway: IP;
  /** Index of the range set it came from. */
  readonly rangeSet: number;
}

/** An attachment: who holds the addresses (CNI keys state by container ID and ifname). */
export interface Attachment {
  readonly containerID: string;
  readonly ifname: string;
}

/**
 * Reserves one address from every range set, honouring requested IPs; on any failure releases
 * what this call took (host-local releases by ID) and throws host-local's message.
 */
export async function allocateAddresses(config: IpamConfig, backend: IpamBackend, who: Attachment): Promise<IpAllocation[]> {
  const run = () => allocateUnlocked(config, backend, who);
  return backend.withLock ? backend.withLock(run) : run();
}

async function allocateUnlocked(config: IpamConfig, backend: IpamBackend, who: Attachment): Promise<IpAllocation[]> {
  const pending = [...config.requestedIPs];
  const result: IpAllocation[] = [];
  let taken = 0;
  for (let idx = 0; idx < config.ranges.length; idx++) {
    const set = config.ranges[idx]!;
    const at = pending.findIndex((ip) => rangeFor(set, ip) !== undefined);
    const requested = at >= 0 ? pending.splice(at, 1)[0] : undefined;
    try {
      result.push(await allocateFromSet(set, idx, backend, who, requested));
      taken++;
    } catch (err) {
      if (taken > 0) await backend.releaseByID(who.containerID, who.ifname);
      if (err instanceof IpamError) throw new IpamAllocationError(`failed to allocate for range ${idx}: ${err.message}`);
      throw err;
    }
  }
  if (pending.length > 0) {
    if (taken > 0) await backend.releaseByID(who.containerID, who.ifname);
    throw new IpamAllocationError(`failed to allocate all requested IPs: ${pending.map(String).join(' ')}`);
  }
  return result;
}

/** `IPAllocator.Get` for one range set. */
async function allocateFromSet(
  set: RangeSet,
  idx: number,
  backend: IpamBackend,
  who: Attachment,
  requested: IP | undefined,
): Promise<IpAllocation> {
  if (requested) {
    const range = rangeFor(set, requested)!;
    if (requested.equals(range.gateway)) throw new IpamAllocationError(`requested ip ${requested} is subnet's gateway`);
    if (!(await backend.reserve(who.containerID, who.ifname, requested, idx))) {
      throw new IpamAllocationError(`requested IP address ${requested} is not available in range set ${formatRangeSet(set)}`);
    }
    return { ip: requested, prefixLength: range.subnet.prefixLength, gateway: range.gateway, rangeSet: idx };
  }
  // "duplicate allocation is not allowed in SPEC": one reservation per (containerID, ifname).
  if (backend.reserveUnique) return allocateUnique(set, idx, backend, who);
  for (const held of await backend.getByID(who.containerID, who.ifname, idx)) {
    if (rangeFor(set, held)) {
      throw new IpamAllocationError(`${held} has been allocated to ${who.containerID}, duplicate allocation is not allowed`);
    }
  }
  const iter = new RangeIterator(set, await backend.lastReservedIP(idx));
  for (const { ip, range } of iter) {
    if (await backend.reserve(who.containerID, who.ifname, ip, idx)) {
      return { ip, prefixLength: range.subnet.prefixLength, gateway: range.gateway, rangeSet: idx };
    }
  }
  throw new IpamAllocationError(`no IP addresses available in range set: ${formatRangeSet(set)}`);
}

/** The search with the duplicate check folded into each reservation (same outcomes as host-local's). */
async function allocateUnique(set: RangeSet, idx: number, backend: IpamBackend, who: Attachment): Promise<IpAllocation> {
  const iter = new RangeIterator(set, await backend.lastReservedIP(idx));
  for (const { ip, range } of iter) {
    const r = await backend.reserveUnique!(who.containerID, who.ifname, ip, idx);
    if (r === 'reserved') return { ip, prefixLength: range.subnet.prefixLength, gateway: range.gateway, rangeSet: idx };
    if (r !== 'taken') {
      throw new IpamAllocationError(
        `${r.duplicate} has been allocated to ${who.containerID}, duplicate allocation is not allowed`,
      );
    }
  }
  throw new IpamAllocationError(`no IP addresses available in range set: ${formatRangeSet(set)}`);
}

/** DEL: releases every address of the attachment; idempotent, unknown attachments are fine. */
export async function releaseAddresses(backend: IpamBackend, who: Attachment): Promise<void> {
  const run = () => backend.releaseByID(who.containerID, who.ifname);
  await (backend.withLock ? backend.withLock(run) : run());
}

/** CHECK: host-local only verifies that some address is held by the attachment. */
export async function checkAddresses(config: IpamConfig, backend: IpamBackend, who: Attachment): Promise<void> {
  for (let idx = 0; idx < config.ranges.length; idx++) {
    if ((await backend.getByID(who.containerID, who.ifname, idx)).length > 0) return;
  }
  throw new IpamAllocationError(`host-local: Failed to find address added by container ${who.containerID}`);
}

/**
 * GC (CNI 1.1): releases every reservation whose attachment is not in `valid`
 * (`cni.dev/valid-attachments`); keeps going on errors and throws them together at the end.
 */
export async function collectGarbage(backend: IpamBackend, valid: readonly Attachment[]): Promise<string[]> {
  const keep = new Set(valid.map((a) => `${a.containerID}\r\n${a.ifname}`));
  const released: string[] = [];
  const stale = new Map<string, Attachment>();
  for (const [ip, who] of await backend.reservations()) {
    if (keep.has(`${who.containerID}\r\n${who.ifname}`)) continue;
    stale.set(`${who.containerID}\r\n${who.ifname}`, who);
    released.push(ip);
  }
  const errors: string[] = [];
  for (const who of stale.values()) {
    try {
      await releaseAddresses(backend, who);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length > 0) throw new IpamAllocationError(errors.join('; '));
  return released;
}
