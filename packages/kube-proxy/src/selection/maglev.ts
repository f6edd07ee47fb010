// Maglev consistent hashing (Eisenbud et al., NSDI 2016) as Cilium builds its per-service
// lookup tables (pkg/maglev): table size M prime, each backend gets offset = h1 % M and
// skip = h2 % (M - 1) + 1 from a seeded hash of its name, and backends take turns claiming
// their next preferred empty slot until the table is full.
import { InvalidOptionError } from '../errors.js';
import { murmur3 } from './random.js';

/** Table sizes Cilium accepts (`maglev.tableSize`); 16381 is its default. */
export const maglevTableSizes = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** A built Maglev lookup table. */
export class MaglevTable {
  /** Slot → backend index. */
  readonly slots: Int32Array;

  private constructor(
    readonly backends: readonly string[],
    readonly size: number,
    slots: Int32Array,
  ) {
    this.slots = slots;
  }

  /**
   * Builds the table for `backends` (e.g. `ip:port` strings). `size` must be prime (Cilium's
   * default 16381; M > 100 × N keeps reassignment on a backend change within about 1 %).
   */
  static build(backends: readonly string[], size = 16381, seed = 'JLfvgnHc2kaSUFaI'): MaglevTable {
    if (!isPrime(size)) throw new InvalidOptionError('maglev table size', `${size} is not prime`);
    const m = size;
    const n = backends.length;
    const slots = new Int32Array(m).fill(-1);
    if (n === 0) return new MaglevTable(backends, m, slots);
    const offset = new Int32Array(n);
    const skip = new Int32Array(n);
    const next = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const name = `${backends[i]}${seed}`;
      offset[i] = murmur3(name, 0x9747b28c) % m;
      skip[i] = (murmur3(name, 0x5bd1e995) % (m - 1)) + 1;
    }
    let filled = 0;
    while (filled < m) {
      for (let i = 0; i < n && filled < m; i++) {
        let c = ((offset[i] as number) + (next[i] as number) * (skip[i] as number)) % m;
        while (slots[c] !== -1) {
          next[i] = (next[i] as number) + 1;
          c = ((offset[i] as number) + (next[i] as number) * (skip[i] as number)) % m;
        }
        slots[c] = i;
        next[i] = (next[i] as number) + 1;
        filled++;
      }
    }
    return new MaglevTable(backends, m, slots);
  }

  /** Backend index for a 32-bit flow hash (-1 when there are no backends). */
  lookupIndex(flowHash: number): number {
    return this.slots[(flowHash >>> 0) % this.size] as number;
  }

  /** Backend for a 32-bit flow hash. */
  lookup(flowHash: number): string | undefined {
    const i = this.lookupIndex(flowHash);
    return i < 0 ? undefined : this.backends[i];
  }
}

/** Hash of a flow's 5-tuple, as the datapath hashes it before the Maglev lookup. */
export function flowHash(clientIP: string, clientPort: number, destination: string, protocol: string): number {
  return murmur3(`${clientIP}|${clientPort}|${destination}|${protocol}`, 0);
}

/** Checks a table size for callers taking it from options. */
export function checkMaglevSize(size: number): void {
  if (!Number.isInteger(size) || !isPrime(size)) throw new InvalidOptionError('maglev table size', `${size} is not prime`);
}
