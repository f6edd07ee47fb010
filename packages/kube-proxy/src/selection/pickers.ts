// Allocation-free pickers for hot paths (the data plane and benchmarks): the same decisions as
// `route`, without the explanation.
import { probability } from '../render/iptables-fragment.js';
import type { RandomSource } from './random.js';

/**
 * The iptables statistic chain for n endpoints: rule i matches with probability 1/(n−i) as
 * written (10 decimals), the last rule always. Returns the endpoint index.
 */
export class IPTablesPicker {
  private readonly thresholds: Float64Array;

  constructor(readonly n: number) {
    this.thresholds = new Float64Array(Math.max(0, n - 1));
    for (let i = 0; i < n - 1; i++) this.thresholds[i] = Number(probability(n - i));
  }

  /** Index of the endpoint rule that matches. */
  pick(random: RandomSource): number {
    const t = this.thresholds;
    for (let i = 0; i < t.length; i++) if (random() < (t[i] as number)) return i;
    return this.n - 1;
  }
}

/** nftables `numgen random mod n`. */
export function numgenPick(n: number, random: RandomSource): number {
  return Math.floor(random() * n);
}
