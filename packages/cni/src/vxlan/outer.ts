// The outer headers a VTEP adds (RFC 7348 §5): Ethernet, IPv4, UDP — for traces and captures.
import { finishChecksum, sumWords } from './checksum.js';

/** Options of {@link encapsulateIPv4}. */
export interface OuterIPv4 {
  srcMac: Uint8Array;
  dstMac: Uint8Array;
  /** Local VTEP (underlay) address, 4 bytes. */
  src: Uint8Array;
  /** Remote VTEP address, 4 bytes. */
  dst: Uint8Array;
  /** Source port: "a hash of the inner headers", 49152–65535 recommended. */
  srcPort: number;
  /** 8472 (Linux/flannel default) or 4789 (IANA). */
  dstPort: number;
}

/** Wraps a VXLAN payload in Ethernet + IPv4 + UDP (UDP checksum 0, as RFC 7348 allows over IPv4). */
export function encapsulateIPv4(vxlanPayload: Uint8Array, outer: OuterIPv4): Uint8Array {
  const udpLength = 8 + vxlanPayload.length;
  const ipLength = 20 + udpLength;
  const b = new Uint8Array(14 + ipLength);
  b.set(outer.dstMac, 0);
  b.set(outer.srcMac, 6);
  b[12] = 0x08;
  b[14] = 0x45;
  b[16] = ipLength >>> 8;
  b[17] = ipLength & 0xff;
  b[22] = 64;
  b[23] = 17;
  b.set(outer.src, 26);
  b.set(outer.dst, 30);
  const sum = finishChecksum(sumWords(b, 14, 34));
  b[24] = sum >>> 8;
  b[25] = sum & 0xff;
  b[34] = outer.srcPort >>> 8;
  b[35] = outer.srcPort & 0xff;
  b[36] = outer.dstPort >>> 8;
  b[37] = outer.dstPort & 0xff;
  b[38] = udpLength >>> 8;
  b[39] = udpLength & 0xff;
  b.set(vxlanPayload, 42);
  return b;
}

/** A flow-hash source port in 49152–65535 from the inner 5-tuple (RFC 7348 §5 recommendation). */
export function flowSourcePort(src: Uint8Array, dst: Uint8Array, srcPort: number, dstPort: number, protocol: number): number {
  let h = 2166136261;
  const mix = (v: number) => {
    h ^= v & 0xff;
    h = Math.imul(h, 16777619);
  };
  for (const x of src) mix(x);
  for (const x of dst) mix(x);
  mix(srcPort >>> 8);
  mix(srcPort);
  mix(dstPort >>> 8);
  mix(dstPort);
  mix(protocol);
  return 49152 + ((h >>> 0) % 16384);
}
