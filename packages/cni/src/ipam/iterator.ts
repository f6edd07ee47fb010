// host-local's round-robin RangeIter (allocator.go GetIter/Next), pure: given the range set and
// the last reserved IP it yields candidates in exactly the real plugin's order.
import type { IP } from '@kemu/core';
import { type IpamRange, type RangeSet, rangeContains } from './range.js';

/** One candidate address and the range it came from (for its mask and gateway). */
export interface Candidate {
  readonly ip: IP;
  readonly range: IpamRange;
}

/**
 * Candidates for one range set: starting just after `lastReserved` when the set contains it,
 * else at rangeStart of the first range; skipping gateways; wrapping from the end of the set to
 * the start; and stopping once it comes full circle (so the last candidate is `lastReserved`).
 * @example [...new RangeIterator(set, parseIP('10.1.0.3'))][0].ip.toString() // '10.1.0.4'
 */
export class RangeIterator implements Iterator<Candidate>, Iterable<Candidate> {
  private rangeIdx = 0;
  private cur: IP | undefined;
  private startIP: IP | undefined;

  constructor(
    private readonly set: RangeSet,
    lastReserved?: IP,
  ) {
    // "We might get a last reserved IP that is wrong if the range indexes changed": then start over.
    const idx = lastReserved ? set.findIndex((r) => rangeContains(r, lastReserved)) : -1;
    if (idx >= 0) {
      this.rangeIdx = idx;
      this.cur = lastReserved;
    } else {
      this.startIP = set[0]!.rangeStart;
    }
  }

  /** The next candidate, or done when the set has been walked once. */
  next(): IteratorResult<Candidate> {
    for (;;) {
      let r = this.set[this.rangeIdx]!;
      if (this.cur === undefined) {
        // First call without a cursor: rangeStart is inclusive.
        this.cur = r.rangeStart;
        this.startIP = this.cur;
        if (this.cur.equals(r.gateway)) continue;
        return { done: false, value: { ip: this.cur, range: r } };
      }
      if (this.cur.equals(r.rangeEnd)) {
        this.rangeIdx = (this.rangeIdx + 1) % this.set.length;
        r = this.set[this.rangeIdx]!;
        this.cur = r.rangeStart;
      } else {
        this.cur = this.cur.next();
      }
      if (this.startIP === undefined) this.startIP = this.cur;
      else if (this.cur.equals(this.startIP)) return { done: true, value: undefined };
      if (this.cur.equals(r.gateway)) continue;
      return { done: false, value: { ip: this.cur, range: r } };
    }
  }

  [Symbol.iterator](): Iterator<Candidate> {
    return this;
  }
}
