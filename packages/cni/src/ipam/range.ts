// host-local's Range and RangeSet (containernetworking/plugins plugins/ipam/host-local/backend/allocator
// range.go, range_set.go), with the 1.1.1 wording observed in reference §2.3.
import { type CIDR, IP, type IPFamily } from '@kemu/core';

/** One canonical range: every field filled in, as `Range.Canonicalize` leaves it. */
export interface IpamRange {
  /** The subnet as configured (host bits are rejected during parsing). */
  readonly subnet: CIDR;
  /** First allocatable address, inclusive. */
  readonly rangeStart: IP;
  /** Last allocatable address, inclusive. */
  readonly rangeEnd: IP;
  /** Gateway, never handed out. */
  readonly gateway: IP;
}

/** A list of ranges of one family; one ADD takes one address from each range set. */
export type RangeSet = readonly IpamRange[];

/** The family of a range set (all ranges share it). */
export function rangeSetFamily(set: RangeSet): IPFamily {
  return set[0]!.subnet.family;
}

/** True when `ip` lies in the range's subnet and between rangeStart and rangeEnd (`Range.Contains`). */
export function rangeContains(range: IpamRange, ip: IP): boolean {
  return range.subnet.contains(ip) && ip.value >= range.rangeStart.value && ip.value <= range.rangeEnd.value;
}

/** The range of the set that holds `ip` (`RangeSet.RangeFor`), or undefined. */
export function rangeFor(set: RangeSet, ip: IP): IpamRange | undefined {
  for (const r of set) if (rangeContains(r, ip)) return r;
  return undefined;
}

/** `start-end`, as host-local prints a range in its messages. */
export function formatRange(range: IpamRange): string {
  return `${range.rangeStart}-${range.rangeEnd}`;
}

/** Every range of the set joined with `,` (`RangeSet.String`). */
export function formatRangeSet(set: RangeSet): string {
  return set.map(formatRange).join(',');
}

/** True when the two ranges share any allocatable address (`Range.Overlaps`). */
export function rangesOverlap(a: IpamRange, b: IpamRange): boolean {
  if (a.subnet.family !== b.subnet.family) return false;
  return (
    rangeContains(a, b.rangeStart) ||
    rangeContains(a, b.rangeEnd) ||
    rangeContains(b, a.rangeStart) ||
    rangeContains(b, a.rangeEnd)
  );
}

/** True when any range of one set overlaps any range of the other (`RangeSet.Overlaps`). */
export function rangeSetsOverlap(a: RangeSet, b: RangeSet): boolean {
  return a.some((r) => b.some((r1) => rangesOverlap(r, r1)));
}

/** The default rangeEnd: the last address, minus the broadcast for IPv4 (`lastIP`). */
export function defaultRangeEnd(subnet: CIDR): IP {
  const last = subnet.last;
  return subnet.family === 'IPv4' ? new IP('IPv4', last.value - 1n) : last;
}
