// Encodes RFC 7348 VXLAN datagrams (the UDP payload: VXLAN header + inner Ethernet frame without FCS).
import { finishChecksum, pseudoHeaderSum, sumWords } from './checksum.js';
import { ethernetHeaderLength, etherTypeIPv4, etherTypeIPv6, ipProtocol, vxlanFlagI, vxlanHeaderLength } from './constants.js';
import type { EncodeResult, InnerPacket, Transport } from './types.js';

/** Options of {@link encodeVxlan}. */
export interface EncodeOptions {
  /** The overlay MTU (flannel.1's, e.g. 1450); an inner IP packet above it is reported, not cut. */
  mtu?: number;
}

function transportLength(t: Transport): number {
  return t.protocol === 'TCP' ? 20 : 8;
}

function protocolNumber(t: Transport, v6: boolean): number {
  if (t.protocol === 'ICMP') return v6 ? ipProtocol.ICMPv6 : ipProtocol.ICMP;
  return ipProtocol[t.protocol];
}

/**
 * Builds the VXLAN UDP payload for `packet` on network `vni` with correct IPv4 header, TCP/UDP
 * and ICMP/ICMPv6 checksums.
 * @example encodeVxlan(1, packet).bytes.subarray(0, 8) // 08 00 00 00 00 00 01 00
 */
export function encodeVxlan(vni: number, packet: InnerPacket, options: EncodeOptions = {}): EncodeResult {
  const v6 = packet.src.length === 16;
  const ipLength = v6 ? 40 : 20;
  const l4Length = transportLength(packet.transport) + packet.payload.length;
  const innerLength = ipLength + l4Length;
  if (options.mtu !== undefined && innerLength > options.mtu) {
    // RFC 7348 §4.3: VTEPs MUST NOT fragment; the packet does not fit, so say so.
    return {
      ok: false,
      reason: 'oversize',
      innerLength,
      mtu: options.mtu,
      detail: `inner packet of ${innerLength} bytes exceeds the overlay MTU ${options.mtu}`,
    };
  }
  const bytes = new Uint8Array(vxlanHeaderLength + ethernetHeaderLength + innerLength);
  // VXLAN header: flags (I), 24 reserved bits, VNI, 8 reserved bits.
  bytes[0] = vxlanFlagI;
  bytes[4] = (vni >>> 16) & 0xff;
  bytes[5] = (vni >>> 8) & 0xff;
  bytes[6] = vni & 0xff;
  let o = vxlanHeaderLength;
  copy(bytes, packet.dstMac, o);
  copy(bytes, packet.srcMac, o + 6);
  const etherType = v6 ? etherTypeIPv6 : etherTypeIPv4;
  bytes[o + 12] = etherType >>> 8;
  bytes[o + 13] = etherType & 0xff;
  o += ethernetHeaderLength;
  const protocol = protocolNumber(packet.transport, v6);
  const ttl = packet.ttl ?? 64;
  if (v6) {
    bytes[o] = 0x60;
    bytes[o + 4] = l4Length >>> 8;
    bytes[o + 5] = l4Length & 0xff;
    bytes[o + 6] = protocol;
    bytes[o + 7] = ttl;
    copy(bytes, packet.src, o + 8);
    copy(bytes, packet.dst, o + 24);
  } else {
    bytes[o] = 0x45;
    bytes[o + 2] = innerLength >>> 8;
    bytes[o + 3] = innerLength & 0xff;
    bytes[o + 6] = 0x40; // DF: the overlay never fragments
    bytes[o + 8] = ttl;
    bytes[o + 9] = protocol;
    copy(bytes, packet.src, o + 12);
    copy(bytes, packet.dst, o + 16);
    const sum = finishChecksum(sumWords(bytes, o, o + 20));
    bytes[o + 10] = sum >>> 8;
    bytes[o + 11] = sum & 0xff;
  }
  const l4 = o + ipLength;
  writeTransport(bytes, l4, packet.transport);
  const at = l4 + transportLength(packet.transport);
  if (packet.payload.length > 32) bytes.set(packet.payload, at);
  else copy(bytes, packet.payload, at);
  const csumAt = packet.transport.protocol === 'TCP' ? 16 : packet.transport.protocol === 'UDP' ? 6 : 2;
  // ICMPv4 has no pseudo-header; TCP, UDP and ICMPv6 do.
  const base = packet.transport.protocol === 'ICMP' && !v6 ? 0 : pseudoHeaderSum(packet.src, packet.dst, protocol, l4Length);
  let sum = finishChecksum(sumWords(bytes, l4, l4 + l4Length, base));
  if (sum === 0 && packet.transport.protocol === 'UDP') sum = 0xffff; // RFC 768: 0 means "no checksum"
  bytes[l4 + csumAt] = sum >>> 8;
  bytes[l4 + csumAt + 1] = sum & 0xff;
  return { ok: true, bytes, innerLength };
}

function writeTransport(b: Uint8Array, o: number, t: Transport): void {
  if (t.protocol === 'ICMP') {
    b[o] = t.type;
    b[o + 1] = t.code;
    writeU32(b, o + 4, t.rest);
    return;
  }
  b[o] = t.srcPort >>> 8;
  b[o + 1] = t.srcPort & 0xff;
  b[o + 2] = t.dstPort >>> 8;
  b[o + 3] = t.dstPort & 0xff;
  if (t.protocol === 'UDP') {
    const len = b.length - o;
    b[o + 4] = len >>> 8;
    b[o + 5] = len & 0xff;
    return;
  }
  writeU32(b, o + 4, t.seq);
  writeU32(b, o + 8, t.ack);
  b[o + 12] = 5 << 4; // data offset: 5 words, no options
  b[o + 13] = t.flags & 0xff;
  b[o + 14] = t.window >>> 8;
  b[o + 15] = t.window & 0xff;
}

function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** Byte copy for short fields: cheaper than TypedArray#set for a handful of bytes. */
function copy(to: Uint8Array, from: Uint8Array, at: number): void {
  for (let i = 0; i < from.length; i++) to[at + i] = from[i]!;
}
