import { parseIP } from '@kemu/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeVxlan } from './decode.js';
import { encodeVxlan } from './encode.js';
import type { InnerPacket, Transport } from './types.js';

const mac = (s: string) => Uint8Array.from(s.split(':').map((h) => Number.parseInt(h, 16)));
const ip = (s: string) => parseIP(s).toBytes();
const packet = (transport: Transport, v6 = false, payload = new TextEncoder().encode('hello')): InnerPacket => ({
  dstMac: mac('0e:2a:7f:00:00:03'),
  srcMac: mac('0e:2a:7f:00:00:02'),
  src: ip(v6 ? 'fd00:10:244:1::2' : '10.244.1.2'),
  dst: ip(v6 ? 'fd00:10:244:2::3' : '10.244.2.3'),
  transport,
  payload,
});
const udp: Transport = { protocol: 'UDP', srcPort: 40000, dstPort: 53 };
const tcp: Transport = { protocol: 'TCP', srcPort: 40000, dstPort: 80, seq: 1, ack: 0, flags: 0x02, window: 65535 };

describe('VXLAN header (RFC 7348 §5)', () => {
  it('encodes VNI 1 as 08 00 00 00 00 00 01 00', () => {
    const r = encodeVxlan(1, packet(udp));
    expect(r.ok && Array.from(r.bytes.subarray(0, 8))).toEqual([8, 0, 0, 0, 0, 0, 1, 0]);
  });

  it('encodes VNI 4096 as 08 00 00 00 00 10 00 00', () => {
    const r = encodeVxlan(4096, packet(udp));
    expect(r.ok && Array.from(r.bytes.subarray(0, 8))).toEqual([8, 0, 0, 0, 0, 0x10, 0, 0]);
  });

  it('ignores reserved bits on receive but requires the I flag', () => {
    const r = encodeVxlan(7, packet(udp));
    if (!r.ok) throw new Error('encode');
    r.bytes[0] = 0xff;
    r.bytes[7] = 0xff;
    expect(decodeVxlan(r.bytes)).toMatchObject({ ok: true, frame: { vni: 7 } });
    r.bytes[0] = 0x00;
    expect(decodeVxlan(r.bytes)).toMatchObject({ ok: false, reason: 'vni-flag-missing' });
  });
});

describe('inner packet round trip with checksums', () => {
  const transports: [string, Transport][] = [
    ['UDP', udp],
    ['TCP', tcp],
    ['ICMP echo', { protocol: 'ICMP', type: 8, code: 0, rest: 0x00010002 }],
  ];
  for (const v6 of [false, true]) {
    for (const [name, t] of transports) {
      it(`decodes what it encodes: ${name} over IPv${v6 ? 6 : 4}`, () => {
        const p = packet(v6 && t.protocol === 'ICMP' ? { ...t, type: 128 } : t, v6);
        const r = encodeVxlan(1, p);
        if (!r.ok) throw new Error(r.detail);
        const d = decodeVxlan(r.bytes);
        if (!d.ok) throw new Error(d.detail);
        expect(d.frame.packet.transport).toEqual(p.transport);
        expect(Array.from(d.frame.packet.payload)).toEqual(Array.from(p.payload));
        expect(Array.from(d.frame.packet.dst)).toEqual(Array.from(p.dst));
      });
    }
  }

  it('computes the IPv4 header checksum of a known header', () => {
    // 45 00 0021 0000 4000 4011 ---- 0af4 0102 0af4 0203: the words sum to 0xde1f, complement 0x21e0 (RFC 1071).
    const r = encodeVxlan(1, packet(udp));
    if (!r.ok) throw new Error('encode');
    const ipHeader = r.bytes.subarray(22, 42);
    expect(Array.from(ipHeader.subarray(10, 12)).map((b) => b.toString(16))).toEqual(['21', 'e0']);
  });

  it('reports a corrupted transport checksum', () => {
    const r = encodeVxlan(1, packet(tcp));
    if (!r.ok) throw new Error('encode');
    r.bytes[r.bytes.length - 1] = r.bytes[r.bytes.length - 1]! ^ 0xff;
    expect(decodeVxlan(r.bytes)).toMatchObject({ ok: false, reason: 'bad-transport-checksum' });
  });

  it('reports an inner packet larger than the MTU instead of cutting it', () => {
    const r = encodeVxlan(1, packet(udp, false, new Uint8Array(1450 - 28 + 1)), { mtu: 1450 });
    expect(r).toMatchObject({ ok: false, reason: 'oversize', innerLength: 1451, mtu: 1450 });
    expect(encodeVxlan(1, packet(udp, false, new Uint8Array(1450 - 28)), { mtu: 1450 }).ok).toBe(true);
  });

  it('rejects a non-IP EtherType', () => {
    const r = encodeVxlan(1, packet(udp));
    if (!r.ok) throw new Error('encode');
    r.bytes[20] = 0x08;
    r.bytes[21] = 0x06; // ARP
    expect(decodeVxlan(r.bytes)).toMatchObject({ ok: false, reason: 'unsupported-ethertype' });
  });
});

describe('garbage', () => {
  it('never throws on random bytes and always returns a reason when not ok', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const r = decodeVxlan(bytes);
        if (!r.ok) expect(typeof r.reason).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on truncations of a valid frame', () => {
    const r = encodeVxlan(1, packet(tcp));
    if (!r.ok) throw new Error('encode');
    for (let n = 0; n < r.bytes.length; n++) expect(decodeVxlan(r.bytes.subarray(0, n)).ok).toBe(false);
  });
});
