// IPAM reservations as @kemu/core Store claims: `claim` is atomic across every client of one
// store (memory backend or Redis), so two agents never hand out one address (the job whereabouts
// does for a cluster). Keys mirror host-local's dataDir files.
import { type IP, parseIP, type Store } from '@kemu/core';
import type { IpamBackend } from './backend.js';

/** The key prefix of a network's reservations. */
export function ipamKeyPrefix(network: string): string {
  return `cni/ipam/${network}/`;
}

/** Address text; IPv4 formatted here because it is on every reservation's path. */
function ipText(ip: IP): string {
  if (ip.family !== 'IPv4') return ip.toString();
  const v = Number(ip.value);
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** The holder string of a reservation: host-local's file content, `id\r\nifname`. */
export function holderOf(id: string, ifname: string): string {
  return `${id}\r\n${ifname}`;
}

/** The part of a kemu {@link Store} that IPAM needs: atomic claims (`claimAll` used when present). */
export type ClaimStore = Pick<Store, 'claim' | 'claimAll' | 'release' | 'holderOf' | 'claims'>;

/**
 * An {@link IpamBackend} over a kemu Store. Keys under `cni/ipam/<network>/`:
 * `ip/<addr>` (holder `id\r\nifname`), `last/<N>` (holder = the cursor address) and
 * `own/<id>\r\n<ifname>/<N>` (holder = the address, an index for the duplicate check).
 */
export class ClaimIpamBackend implements IpamBackend {
  private readonly prefix: string;
  /** The cursor per range set as this client last saw or wrote it. */
  private readonly cursors = new Map<number, { ip: IP; stored: string | undefined }>();

  constructor(
    private readonly store: ClaimStore,
    network: string,
    /**
     * `per-allocation` (default) stores the cursor with every reservation, as host-local rewrites
     * `last_reserved_ip.N` (right for a plugin process that allocates once). `deferred` keeps it in
     * this client and stores it on {@link flush} — for long-lived allocators; uniqueness never
     * depends on the cursor, only the search order across clients does.
     */
    private readonly cursorMode: 'per-allocation' | 'deferred' = 'per-allocation',
  ) {
    this.prefix = ipamKeyPrefix(network);
  }

  async reserve(id: string, ifname: string, ip: IP, rangeId: number): Promise<boolean> {
    const text = ipText(ip);
    const { claimed } = await this.store.claim(`${this.prefix}ip/${text}`, holderOf(id, ifname));
    if (!claimed) return false;
    await this.store.claim(`${this.prefix}own/${holderOf(id, ifname)}/${rangeId}`, text);
    const stored = this.cursors.get(rangeId)?.stored;
    this.cursors.set(rangeId, { ip, stored });
    if (this.cursorMode === 'per-allocation') await this.storeCursor(rangeId);
    return true;
  }

  async reserveUnique(id: string, ifname: string, ip: IP, rangeId: number): Promise<'reserved' | 'taken' | { duplicate: IP }> {
    const owner = holderOf(id, ifname);
    const text = ipText(ip);
    const ipKey = `${this.prefix}ip/${text}`;
    const ownKey = `${this.prefix}own/${owner}/${rangeId}`;
    const outcome = this.store.claimAll
      ? await this.claimPair(ipKey, ownKey, owner, text)
      : await this.claimPairOneByOne(ipKey, ownKey, owner, text);
    if (outcome !== 'reserved') return outcome;
    const stored = this.cursors.get(rangeId)?.stored;
    this.cursors.set(rangeId, { ip, stored });
    if (this.cursorMode === 'per-allocation') await this.storeCursor(rangeId);
    return 'reserved';
  }

  /**
   * The address and its owner index as one all-or-none claim: one store round trip when the
   * candidate is free (the usual case), with the duplicate check answered by the index claim.
   */
  private async claimPair(
    ipKey: string,
    ownKey: string,
    owner: string,
    text: string,
  ): Promise<'reserved' | 'taken' | { duplicate: IP }> {
    for (;;) {
      const { claimed, holders } = await this.store.claimAll!([
        [ipKey, owner],
        [ownKey, text],
      ]);
      // Claimed, but the address was already the owner's: the search came round to it.
      if (claimed) return holders[0] === owner ? { duplicate: parseIP(text) } : 'reserved';
      const indexed = holders[1];
      // host-local checks for a duplicate before it searches, so a duplicate wins over "taken".
      if (indexed === undefined || indexed === text) return 'taken';
      const duplicate = await this.heldIndexEntry(owner, indexed);
      if (duplicate) return { duplicate };
      // A stale index (its address was released without it): drop it and try this address again.
      await this.store.release(ownKey, indexed);
    }
  }

  /** {@link claimPair} for stores without `claimAll`: both claims pipelined, the index undone on a miss. */
  private async claimPairOneByOne(
    ipKey: string,
    ownKey: string,
    owner: string,
    text: string,
  ): Promise<'reserved' | 'taken' | { duplicate: IP }> {
    const [mine, own] = await Promise.all([this.store.claim(ipKey, owner), this.store.claim(ownKey, text)]);
    if (!mine.claimed) {
      if (own.claimed) await this.store.release(ownKey, text);
      return 'taken';
    }
    if (!own.claimed) {
      const duplicate = await this.heldIndexEntry(owner, own.holder);
      if (duplicate) {
        await this.store.release(ipKey, owner);
        return { duplicate };
      }
      await this.store.release(ownKey, own.holder);
      await this.store.claim(ownKey, text);
    }
    return 'reserved';
  }

  /** The address an owner-index entry names, when that reservation is still the owner's (else stale). */
  private async heldIndexEntry(owner: string, indexed: string): Promise<IP | undefined> {
    return (await this.store.holderOf(`${this.prefix}ip/${indexed}`)) === owner ? parseIP(indexed) : undefined;
  }

  /** Stores every cursor this client moved (the `deferred` mode's write-back). */
  async flush(): Promise<void> {
    for (const rangeId of this.cursors.keys()) await this.storeCursor(rangeId);
  }

  private async storeCursor(rangeId: number): Promise<void> {
    const c = this.cursors.get(rangeId);
    if (!c) return;
    const text = ipText(c.ip);
    if (c.stored === text) return;
    // The cursor is a hint (host-local loses it harmlessly too): release-then-claim may lose a
    // race with another client, which only changes where the next search starts.
    const key = `${this.prefix}last/${rangeId}`;
    const current = c.stored ?? (await this.store.holderOf(key));
    // Issued together (one round trip on Redis; a store runs one client's calls in order).
    const [, { holder }] = await Promise.all([
      current === undefined ? false : this.store.release(key, current),
      this.store.claim(key, text),
    ]);
    c.stored = holder;
  }

  async lastReservedIP(rangeId: number): Promise<IP | undefined> {
    const known = this.cursors.get(rangeId);
    if (known && this.cursorMode === 'deferred') return known.ip;
    const text = await this.store.holderOf(`${this.prefix}last/${rangeId}`);
    if (text === undefined) return undefined;
    const ip = parseIP(text);
    this.cursors.set(rangeId, { ip, stored: text });
    return ip;
  }

  async getByID(id: string, ifname: string, rangeId: number): Promise<IP[]> {
    const owner = holderOf(id, ifname);
    const text = await this.store.holderOf(`${this.prefix}own/${owner}/${rangeId}`);
    if (text === undefined) return [];
    // Only believe the index when the reservation itself still names this owner.
    return (await this.store.holderOf(`${this.prefix}ip/${text}`)) === owner ? [parseIP(text)] : [];
  }

  async releaseByID(id: string, ifname: string): Promise<void> {
    const owner = holderOf(id, ifname);
    for (const [key, holder] of await this.store.claims(`${this.prefix}ip/`)) {
      if (holder === owner) await this.store.release(key, owner);
    }
    for (const [key, holder] of await this.store.claims(`${this.prefix}own/${owner}/`)) {
      await this.store.release(key, holder);
    }
  }

  /** Every reservation of the network: address → `{containerID, ifname}`. */
  async reservations(): Promise<Map<string, { containerID: string; ifname: string }>> {
    const out = new Map<string, { containerID: string; ifname: string }>();
    const ipPrefix = `${this.prefix}ip/`;
    for (const [key, holder] of await this.store.claims(ipPrefix)) {
      const [containerID = '', ifname = ''] = holder.split('\r\n');
      out.set(key.slice(ipPrefix.length), { containerID, ifname });
    }
    return out;
  }
}
