// The Internet checksum (RFC 1071) and the TCP/UDP/ICMPv6 pseudo-headers (RFC 768, RFC 793, RFC 8200 §8.1).

/** Adds 16-bit big-endian words of `bytes[start, end)` to `sum` (odd tail padded with zero). */
export function sumWords(bytes: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  return sum;
}

/** Folds carries and complements: the value to put in a checksum field. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The pseudo-header sum for TCP/UDP/ICMPv6 over IPv4 (12 bytes) or IPv6 (40 bytes). */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  let sum = sumWords(src, 0, src.length) + sumWords(dst, 0, dst.length);
  sum += protocol + (length >>> 16) + (length & 0xffff);
  return sum;
}
