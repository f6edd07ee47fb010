// Maglev consistent hashing as Cilium uses it (pkg/maglev; Maglev paper §3.4).
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, MaglevTable } from '../src/index.js';

const backends = (n: number) => Array.from({ length: n }, (_, i) => `10.2.${i >> 8}.${i & 255}:80`);

describe('Maglev', () => {
  it('fills every slot and balances backends within a few percent', () => {
    const table = MaglevTable.build(backends(10), 16381);
    const counts = new Array(10).fill(0);
    for (const s of table.slots) counts[s]++;
    expect(counts.reduce((a, b) => a + b)).toBe(16381);
    for (const c of counts) expect(Math.abs(c - 1638.1) / 1638.1).toBeLessThan(0.05);
  });

  it('remaps about 1/N of flows when one of N backends is removed', () => {
    const n = 20;
    const before = MaglevTable.build(backends(n), 16381);
    const remaining = backends(n).filter((_, i) => i !== 7);
    const after = MaglevTable.build(remaining, 16381);
    let moved = 0;
    for (let slot = 0; slot < 16381; slot++) {
      if (before.backends[before.slots[slot] as number] !== after.backends[after.slots[slot] as number]) moved++;
    }
    // The removed backend's 1/N must move; the paper's M > 100·N keeps the rest near-stable.
    expect(moved / 16381).toBeGreaterThan(0.9 / n);
    expect(moved / 16381).toBeLessThan(1.6 / n);
  });

  it('refuses a table size that is not prime', () => {
    expect(() => MaglevTable.build(backends(3), 16384)).toThrow(InvalidOptionError);
  });

  it('builds the 65537-slot table too', () => {
    expect(MaglevTable.build(backends(5), 65537).lookup(123456)).toMatch(/^10\.2\./);
  });
});
