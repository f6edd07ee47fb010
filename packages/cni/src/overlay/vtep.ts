// VTEP MAC addresses derived from the underlay address, the way flannel derives them when it
// must be deterministic (flannel pkg/backend/vxlan on Windows: MacPrefix "0E-2A" + the 4 IPv4 bytes).
import { parseIP } from '@kemu/core';

/** flannel's default MacPrefix. */
export const vtepMacPrefix = [0x0e, 0x2a] as const;

/** The VTEP MAC for an underlay address: `0e:2a:` + the last four address bytes. */
export function vtepMac(underlayIP: string): string {
  const bytes = parseIP(underlayIP).toBytes();
  const tail = bytes.subarray(bytes.length - 4);
  return formatMac([...vtepMacPrefix, ...tail]);
}

/** `aa:bb:cc:dd:ee:ff` from 6 bytes. */
export function formatMac(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** 6 bytes from `aa:bb:cc:dd:ee:ff`. */
export function parseMac(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((h) => Number.parseInt(h, 16)));
}
