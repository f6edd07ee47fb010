// Decodes RFC 7348 VXLAN datagrams; every malformed input yields a typed reason, never a throw.
import { finishChecksum, sumWords } from './checksum.js';
import { ethernetHeaderLength, etherTypeIPv4, etherTypeIPv6, ipProtocol, vxlanFlagI, vxlanHeaderLength } from './constants.js';
import type { DecodeFailureReason, DecodeResult, InnerPacket, Transport } from './types.js';

function fail(reason: DecodeFailureReason, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

/**
 * Parses a VXLAN UDP payload. Reserved bits are ignored on receive (RFC 7348 §5); checksums are
 * verified (a UDP checksum of 0 means "none", RFC 768).
 */
export function decodeVxlan(bytes: Uint8Array): DecodeResult {
  if (bytes.length < vxlanHeaderLength + ethernetHeaderLength) {
    return fail('truncated', `${bytes.length} bytes is shorter than the VXLAN and Ethernet headers (22)`);
  }
  if ((bytes[0]! & vxlanFlagI) === 0) return fail('vni-flag-missing', 'the I flag is not set, so the VNI is not valid');
  const vni = (bytes[4]! << 16) | (bytes[5]! << 8) | bytes[6]!;
  const e = vxlanHeaderLength;
  const etherType = (bytes[e + 12]! << 8) | bytes[e + 13]!;
  const o = e + ethernetHeaderLength;
  let addrAt: number;
  let addrLength: number;
  let protocol: number;
  let ttl: number;
  let l4: number;
  let l4Length: number;
  const v6 = etherType === etherTypeIPv6;
  if (etherType === etherTypeIPv4) {
    if (bytes.length < o + 20) return fail('truncated', 'the IPv4 header is cut short');
    const ihl = (bytes[o]! & 0x0f) * 4;
    if (bytes[o]! >>> 4 !== 4 || ihl < 20) return fail('bad-ip-header', `IPv4 version/IHL byte 0x${bytes[o]!.toString(16)}`);
    if (bytes.length < o + ihl) return fail('truncated', 'the IPv4 options are cut short');
    const total = (bytes[o + 2]! << 8) | bytes[o + 3]!;
    if (total < ihl || o + total > bytes.length)
      return fail('length-mismatch', `IPv4 total length ${total} does not fit ${bytes.length - o} bytes`);
    if (finishChecksum(sumWords(bytes, o, o + ihl)) !== 0) return fail('bad-ip-checksum', 'the IPv4 header checksum is wrong');
    addrAt = o + 12;
    addrLength = 4;
    protocol = bytes[o + 9]!;
    ttl = bytes[o + 8]!;
    l4 = o + ihl;
    l4Length = total - ihl;
  } else if (v6) {
    if (bytes.length < o + 40) return fail('truncated', 'the IPv6 header is cut short');
    if (bytes[o]! >>> 4 !== 6) return fail('bad-ip-header', `IPv6 version nibble ${bytes[o]! >>> 4}`);
    l4Length = (bytes[o + 4]! << 8) | bytes[o + 5]!;
    if (o + 40 + l4Length > bytes.length) return fail('length-mismatch', `IPv6 payload length ${l4Length} does not fit`);
    protocol = bytes[o + 6]!;
    ttl = bytes[o + 7]!;
    addrAt = o + 8;
    addrLength = 16;
    l4 = o + 40;
  } else {
    return fail('unsupported-ethertype', `EtherType 0x${etherType.toString(16).padStart(4, '0')} is neither IPv4 nor IPv6`);
  }
  const parsed = decodeTransport(bytes, l4, l4Length, protocol, v6);
  if (typeof parsed === 'string') return fail('unsupported-protocol', parsed);
  if ('truncated' in parsed) return fail('truncated', parsed.truncated);
  const { transport, headerLength } = parsed;
  const csumAt = transport.protocol === 'TCP' ? 16 : transport.protocol === 'UDP' ? 6 : 2;
  const stored = (bytes[l4 + csumAt]! << 8) | bytes[l4 + csumAt + 1]!;
  if (!(transport.protocol === 'UDP' && stored === 0 && !v6)) {
    const base = transport.protocol === 'ICMP' && !v6 ? 0 : pseudoSum(bytes, addrAt, addrLength, protocol, l4Length);
    if (finishChecksum(sumWords(bytes, l4, l4 + l4Length, base)) !== 0) {
      return fail('bad-transport-checksum', `the ${transport.protocol} checksum is wrong`);
    }
  }
  return {
    ok: true,
    frame: { vni, packet: new DecodedPacket(bytes, addrAt, addrLength, ttl, transport, l4 + headerLength, l4 + l4Length) },
  };
}

function u16(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

/** The pseudo-header sum straight from the packet bytes (no address copies). */
function pseudoSum(b: Uint8Array, at: number, length: number, protocol: number, l4Length: number): number {
  return sumWords(b, at, at + 2 * length) + protocol + (l4Length >>> 16) + (l4Length & 0xffff);
}

/**
 * A decoded inner packet: views into the datagram are made only when read, because most
 * receivers look at a couple of fields (a decoder is on every datagram's path).
 */
class DecodedPacket implements InnerPacket {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly addrAt: number,
    private readonly addrLength: number,
    readonly ttl: number,
    readonly transport: Transport,
    private readonly payloadStart: number,
    private readonly payloadEnd: number,
  ) {}

  get dstMac(): Uint8Array {
    return this.bytes.subarray(vxlanHeaderLength, vxlanHeaderLength + 6);
  }

  get srcMac(): Uint8Array {
    return this.bytes.subarray(vxlanHeaderLength + 6, vxlanHeaderLength + 12);
  }

  get src(): Uint8Array {
    return this.bytes.subarray(this.addrAt, this.addrAt + this.addrLength);
  }

  get dst(): Uint8Array {
    return this.bytes.subarray(this.addrAt + this.addrLength, this.addrAt + 2 * this.addrLength);
  }

  get payload(): Uint8Array {
    return this.bytes.subarray(this.payloadStart, this.payloadEnd);
  }

  /** Plain-object form, for printing. */
  toJSON(): InnerPacket {
    return {
      dstMac: this.dstMac,
      srcMac: this.srcMac,
      src: this.src,
      dst: this.dst,
      ttl: this.ttl,
      transport: this.transport,
      payload: this.payload,
    };
  }
}

function decodeTransport(
  b: Uint8Array,
  o: number,
  length: number,
  protocol: number,
  v6: boolean,
): { transport: Transport; headerLength: number } | { truncated: string } | string {
  if (protocol === ipProtocol.UDP) {
    if (length < 8) return { truncated: 'the UDP header is cut short' };
    return { transport: { protocol: 'UDP', srcPort: u16(b, o), dstPort: u16(b, o + 2) }, headerLength: 8 };
  }
  if (protocol === ipProtocol.TCP) {
    if (length < 20) return { truncated: 'the TCP header is cut short' };
    const headerLength = (b[o + 12]! >>> 4) * 4;
    if (headerLength < 20 || headerLength > length) return { truncated: `TCP data offset ${headerLength} does not fit` };
    return {
      transport: {
        protocol: 'TCP',
        srcPort: u16(b, o),
        dstPort: u16(b, o + 2),
        seq: u32(b, o + 4),
        ack: u32(b, o + 8),
        flags: b[o + 13]!,
        window: u16(b, o + 14),
      },
      headerLength,
    };
  }
  if ((protocol === ipProtocol.ICMP && !v6) || (protocol === ipProtocol.ICMPv6 && v6)) {
    if (length < 8) return { truncated: 'the ICMP header is cut short' };
    return { transport: { protocol: 'ICMP', type: b[o]!, code: b[o + 1]!, rest: u32(b, o + 4) }, headerLength: 8 };
  }
  return `IP protocol ${protocol} is not UDP, TCP or ICMP`;
}
