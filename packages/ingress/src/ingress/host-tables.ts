// The path tables of all exact hosts, back to back in one array, found through an open-addressing
// hash index in an Int32Array.
//
// Why: match() with 100k hosts is bound by memory latency. A Map<string, PathTable> lookup reads
// its bucket, its entry chain, the key string of every entry on the chain (V8 compares strings,
// not stored hashes), then the array object and its separate elements store, each somewhere else
// in a 250 MB heap. Here a probe reads one 8-byte [hash, offset] pair of a 2 MB typed array, the
// one key string whose hash matches (reset() allocates the keys one after another), and one
// contiguous run of a single array holding the host's whole table.
import { type PathSlot, type PathTable, pathTableLength } from './path-table.js';

const empty = -1;
const deleted = -2;

/** FNV-1a over UTF-16 code units: cheap, and good enough for DNS names (collisions are compared). */
function hashOf(host: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < host.length; i++) h = Math.imul(h ^ host.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Exact host → path table, stored flat (see the file comment). */
export class HostTables {
  /** `[hash, offset]` pairs; offset `empty` ends a probe, `deleted` is a tombstone. */
  private index = new Int32Array(2 * 16).fill(empty);
  private mask = 15;
  /** Index pairs holding a host or a tombstone. */
  private used = 0;
  /** `[host, shape, (location, route, message, plan) × keys]` per host, back to back. */
  slots: PathSlot[] = [];
  private liveSlots = 0;
  /** The last host looked up and its offset (cleared on every change). */
  private lastHost: string | undefined;
  private lastOffset = -1;

  /** Where the host's table (its shape) starts in {@link slots}, or -1 without one. */
  offset(host: string): number {
    // Requests to one host often come in a row: the last answer holds until a table changes.
    if (host !== this.lastHost) {
      this.lastOffset = this.lookup(host);
      this.lastHost = host;
    }
    return this.lastOffset;
  }

  private lookup(host: string): number {
    const index = this.index;
    const hash = hashOf(host);
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const at = index[2 * i + 1] as number;
      if (at === empty) return -1;
      if (at >= 0 && index[2 * i] === hash && this.slots[at] === host) return at + 1;
    }
  }

  /** Replaces the host's table (undefined removes it). */
  set(host: string, table: PathTable | undefined): void {
    this.lastHost = undefined;
    const pair = this.find(host);
    if (pair >= 0) {
      const at = this.index[2 * pair + 1] as number;
      const length = 1 + pathTableLength(this.slots, at + 1);
      this.slots.fill(undefined, at, at + length);
      this.liveSlots -= length;
      this.index[2 * pair + 1] = deleted;
    }
    if (table) {
      this.insert(host, this.slots.length);
      this.slots.push(host);
      for (const slot of table) this.slots.push(slot);
      this.liveSlots += 1 + table.length;
    }
    // Incremental changes append and leave tombstones: repack once half of either is dead.
    if (this.slots.length > 2 * this.liveSlots + 1024 || 2 * this.used > this.mask + 1) this.reset([...this.tables()]);
  }

  /** Replaces everything; hosts keep the order given. */
  reset(tables: readonly [string, PathTable][]): void {
    this.lastHost = undefined;
    let capacity = 16;
    while (capacity < 2 * tables.length) capacity *= 2;
    this.index = new Int32Array(2 * capacity).fill(empty);
    this.mask = capacity - 1;
    this.used = 0;
    let length = 0;
    for (const [, table] of tables) length += 1 + table.length;
    // Allocated once at its final size: growing a multi-megabyte array by push copies it again and again.
    const slots: PathSlot[] = new Array(length);
    let at = 0;
    for (const [host, table] of tables) {
      // A fresh, equal copy of the key (exact hosts are lower-case DNS names), allocated next to
      // the previous one rather than wherever the Ingress object put its string.
      const copy = host.toUpperCase().toLowerCase();
      this.insert(host, at);
      slots[at++] = copy === host ? copy : host;
      for (let i = 0; i < table.length; i++) slots[at++] = table[i];
    }
    this.slots = slots;
    this.liveSlots = this.slots.length;
  }

  /** The index pair holding `host`, or -1. */
  private find(host: string): number {
    const hash = hashOf(host);
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const at = this.index[2 * i + 1] as number;
      if (at === empty) return -1;
      if (at >= 0 && this.index[2 * i] === hash && this.slots[at] === host) return i;
    }
  }

  private insert(host: string, at: number): void {
    const hash = hashOf(host);
    let i = hash & this.mask;
    while ((this.index[2 * i + 1] as number) >= 0) i = (i + 1) & this.mask;
    if (this.index[2 * i + 1] === empty) this.used++;
    this.index[2 * i] = hash;
    this.index[2 * i + 1] = at;
  }

  private *tables(): Iterable<[string, PathTable]> {
    for (let i = 0; i <= this.mask; i++) {
      const at = this.index[2 * i + 1] as number;
      if (at < 0) continue;
      yield [this.slots[at] as string, this.slots.slice(at + 1, at + 1 + pathTableLength(this.slots, at + 1)) as PathTable];
    }
  }
}
