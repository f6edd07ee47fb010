// A flat per-server location table for the hot match() path of small ingress-nginx servers.
//
// Why: with 100k hosts every request lands on a cold server, and each object it touches costs a
// cache (and TLB) miss. findLocation walks ExactTable → pairs → SegmentTrie → nodes → kids → the
// element strings split per host → the strings list, and the answer step then reads the location,
// its owner and annotations. Here the keys live in a PathShape shared by every server with the same
// location paths (hot in cache), and the server's own data is one short run of slots holding, per
// key, the location and what its answer needs (route, message, shared backend plan), stored with
// every other host's in one array (host-tables.ts): one cold read per request.
//
// It reproduces findLocation for the `ingress-nginx` profile outside regex mode (property-tested
// against it in test/path-table.test.ts): `=` exact locations first, then the 301 auto_redirect
// keys (reported as "not here": the caller takes the full path), then the longest prefix. For
// nginx every non-exact location is a plain string prefix: the trie only holds `/` and `…/` paths,
// and a strict trie hit on `/a/b/` is exactly `uri.startsWith('/a/b/')`. Equal lengths mean equal
// strings; the trie entry wins those ties (findLocation takes a string only when strictly longer).

import type { RouteRef } from '../request.js';
import type { BackendPlan } from './answer.js';
import type { CompiledServer } from './locations.js';
import type { NginxLocation } from './servers.js';

/** The keys of a path table: `===` keys before `prefixStart`, then `startsWith` keys, longest first. */
export interface PathShape {
  readonly keys: readonly string[];
  readonly prefixStart: number;
}

/** One slot of a path table. */
export type PathSlot = PathShape | NginxLocation | RouteRef | string | BackendPlan | null | undefined;

/**
 * `[shape, (location, route, message, plan) per key]`. The location is undefined for a
 * slash-redirect key. route and message are filled by the first answer; plan is undefined until
 * then, null when the location's answer depends on more than the path (see isPlainLocation).
 */
export type PathTable = [PathShape, ...PathSlot[]];

/** Slots per key after the shape. */
export const pathTableStride = 4;

/** Servers with more locations than this keep the trie only (a linear scan would lose to it). */
export const pathTableLimit = 16;

/**
 * Builds the table of a compiled ingress-nginx server, or undefined when it does not apply
 * (regex mode, app-root, more than {@link pathTableLimit} locations, the `spec` profile).
 * `shapeFor` returns one shared PathShape per distinct key list.
 */
export function buildPathTable(
  compiled: CompiledServer,
  shapeFor: (keys: string[], prefixStart: number) => PathShape,
): PathTable | undefined {
  const { server } = compiled;
  if (compiled.profile !== 'ingress-nginx' || server.regexMode || server.appRoot) return undefined;
  if (server.locations.length > pathTableLimit) return undefined;
  const keys: string[] = [];
  const locations: (NginxLocation | undefined)[] = [];
  // Exact locations: the last one set for a path wins (ExactTable.set replaces).
  for (const location of server.locations) {
    if (!location.exact || keys.includes(location.path)) continue;
    keys.push(location.path);
    locations.push(compiled.exact.get(location.path));
  }
  for (const key of compiled.slashRedirects?.keys() ?? []) {
    if (keys.includes(key)) continue;
    keys.push(key);
    locations.push(undefined);
  }
  const prefixStart = keys.length;
  // Prefixes: trie paths (SegmentTrie.insert replaces, so the last location of a path wins),
  // then the string prefixes in findLocation's order.
  const prefixes: NginxLocation[] = [];
  for (const location of server.locations) {
    if (location.exact || compiled.strings.includes(location)) continue;
    const same = prefixes.findIndex((p) => p.path === location.path);
    if (same < 0) prefixes.push(location);
    else prefixes[same] = location;
  }
  for (const location of compiled.strings) prefixes.push(location);
  // Array.prototype.sort is stable: trie entries stay ahead of strings of the same length.
  prefixes.sort(longerFirst);
  for (const location of prefixes) {
    keys.push(location.path);
    locations.push(location);
  }
  // Allocated at its final size (HostTables copies it into its own array).
  const table = new Array(1 + locations.length * pathTableStride).fill(undefined) as PathTable;
  table[0] = shapeFor(keys, prefixStart);
  for (let k = 0; k < locations.length; k++) table[1 + k * pathTableStride] = locations[k];
  return table;
}

function longerFirst(a: NginxLocation, b: NginxLocation): number {
  return b.path.length - a.path.length;
}

/**
 * The slot of the entry answering `uri` in the table starting at `slots[at]` (the entry's location;
 * route, message and plan follow), or -1 when the full lookup must decide (a slash redirect, or no
 * prefix matched).
 */
export function findInPathTable(slots: readonly PathSlot[], at: number, uri: string): number {
  const { keys, prefixStart } = slots[at] as PathShape;
  let k = 0;
  for (; k < prefixStart; k++) {
    if (keys[k] === uri) {
      const slot = at + 1 + k * pathTableStride;
      return slots[slot] === undefined ? -1 : slot;
    }
  }
  for (; k < keys.length; k++) {
    if (uri.startsWith(keys[k] as string)) return at + 1 + k * pathTableStride;
  }
  return -1;
}

/** Number of slots of the table starting at `slots[at]`. */
export function pathTableLength(slots: readonly PathSlot[], at: number): number {
  return 1 + (slots[at] as PathShape).keys.length * pathTableStride;
}
