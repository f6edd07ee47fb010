// HostTables (src/ingress/host-tables.ts) must behave as a Map from exact host to path table
// through inserts, replacements, removals, tombstones and repacks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostTables } from '../src/ingress/host-tables.js';
import type { PathShape, PathTable } from '../src/ingress/path-table.js';

/** A table with `keys` keys whose first location slot names the table, so lookups can be checked. */
function table(name: string, keys: number): PathTable {
  const shape: PathShape = { keys: Array.from({ length: keys }, (_, k) => `/${k}`), prefixStart: 0 };
  const out: PathTable = [shape];
  for (let k = 0; k < keys; k++) out.push(k === 0 ? name : undefined, undefined, undefined, undefined);
  return out;
}

describe('HostTables', () => {
  it('agrees with a Map under any sequence of sets and removals', () => {
    // Property: offset(host) finds exactly the last table set for host, whatever was removed since.
    const hosts = Array.from({ length: 40 }, (_, i) => `h${i}.example.com`);
    fc.assert(
      fc.property(
        fc.array(fc.record({ host: fc.constantFrom(...hosts), keys: fc.integer({ min: 0, max: 3 }), id: fc.nat() }), {
          maxLength: 400,
        }),
        (operations) => {
          const tables = new HostTables();
          const model = new Map<string, string>();
          tables.reset(hosts.slice(0, 5).map((h) => [h, table(`${h}#reset`, 1)]));
          for (const h of hosts.slice(0, 5)) model.set(h, `${h}#reset`);
          for (const { host, keys, id } of operations) {
            // keys 0 stands for "remove".
            tables.set(host, keys === 0 ? undefined : table(`${host}#${id}`, keys));
            if (keys === 0) model.delete(host);
            else model.set(host, `${host}#${id}`);
          }
          for (const host of hosts) {
            const at = tables.offset(host);
            expect(at < 0 ? undefined : tables.slots[at + 1]).toBe(model.get(host));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
