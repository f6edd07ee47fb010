import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidCidrError, InvalidIpError } from '../errors/catalogue.js';
import { parseCIDR, tryParseCIDR } from './cidr.js';
import { canonicalIP, compareIPs, ipFromBytes, parseIP, tryParseIP } from './ip.js';

describe('IP addresses', () => {
  it('formats IPv6 canonically (RFC 5952)', () => {
    expect(canonicalIP('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIP('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIP('::ffff:10.0.0.1')).toBe('::ffff:a00:1');
    expect(canonicalIP('FE80::A')).toBe('fe80::a');
  });

  it('rejects IPv4 with leading zeros or shorthand, as Kubernetes validation does', () => {
    // k8s.io/utils/net ParseIPSloppy is only for legacy fields; validation rejects "010.0.0.1".
    for (const bad of ['010.0.0.1', '10.1', '10.0.0.256', '1.2.3.4.5', '', 'fe80::1%eth0', '[::1]', 'abc']) {
      expect(tryParseIP(bad), bad).toBeUndefined();
    }
    expect(() => parseIP('10.0.0.256')).toThrow(InvalidIpError);
  });

  it('steps to the next and previous address across octet boundaries', () => {
    expect(parseIP('10.244.0.255').next().toString()).toBe('10.244.1.0');
    expect(parseIP('10.244.1.0').prev().toString()).toBe('10.244.0.255');
    expect(parseIP('2001:db8::ffff').next().toString()).toBe('2001:db8::1:0');
    expect(() => parseIP('255.255.255.255').next()).toThrow(InvalidIpError);
  });

  it('orders IPv4 before IPv6 and numerically within a family', () => {
    expect(['10.0.0.10', '::1', '10.0.0.2'].sort(compareIPs)).toEqual(['10.0.0.2', '10.0.0.10', '::1']);
  });

  it('round-trips through bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const ip = tryParseIP(text);
        if (!ip) return; // fast-check also generates forms Kubernetes rejects (e.g. leading zeros)
        expect(ipFromBytes(ip.toBytes()).equals(ip)).toBe(true);
        expect(parseIP(ip.toString()).equals(ip)).toBe(true);
      }),
    );
  });
});

describe('CIDRs', () => {
  it('clears host bits like net.ParseCIDR, and rejects them when strict', () => {
    expect(parseCIDR('10.244.3.7/16').toString()).toBe('10.244.0.0/16');
    expect(tryParseCIDR('10.244.3.7/16', { strict: true })).toMatch(/host bits set/);
  });

  it('rejects malformed CIDRs with the reason', () => {
    expect(() => parseCIDR('10.0.0.0')).toThrow(/no "\/prefix"/);
    expect(() => parseCIDR('10.0.0.0/33')).toThrow(/prefix length must be 0–32/);
    expect(() => parseCIDR('10.0.0.0/08')).toThrow(InvalidCidrError);
    expect(() => parseCIDR('::/129')).toThrow(/0–128/);
  });

  it('tests containment, overlap and bounds', () => {
    const pods = parseCIDR('10.244.0.0/16');
    expect(pods.contains(parseIP('10.244.255.255'))).toBe(true);
    expect(pods.contains(parseIP('10.245.0.0'))).toBe(false);
    expect(pods.contains(parseIP('::1'))).toBe(false);
    expect(pods.overlaps(parseCIDR('10.0.0.0/8'))).toBe(true);
    expect(pods.overlaps(parseCIDR('10.96.0.0/12'))).toBe(false);
    expect(pods.last.toString()).toBe('10.244.255.255');
    expect(parseCIDR('10.96.0.0/12').size).toBe(1n << 20n);
  });

  it('splits a cluster CIDR into node pod CIDRs in address order (kube-controller-manager range allocator)', () => {
    const cluster = parseCIDR('10.244.0.0/16');
    expect(cluster.subnetCount(24)).toBe(256n);
    expect(cluster.subnet(24, 0).toString()).toBe('10.244.0.0/24');
    expect(cluster.subnet(24, 255).toString()).toBe('10.244.255.0/24');
    expect(parseCIDR('fd00:10:244::/56').subnet(64, 1).toString()).toBe('fd00:10:244:1::/64');
    expect(() => cluster.subnet(24, 256)).toThrow(/out of range/);
    expect(() => cluster.subnet(8, 0)).toThrow(/mask size must be between 16 and 32/);
  });

  it('carves disjoint subnets that cover the block', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 24 }), fc.integer({ min: 0, max: 6 }), (prefix, extra) => {
        const block = parseCIDR(`10.0.0.0/${prefix}`);
        const mask = prefix + extra;
        const subnets = [...block.subnets(mask)];
        expect(BigInt(subnets.length)).toBe(block.subnetCount(mask));
        for (let i = 1; i < subnets.length; i++) {
          expect(subnets[i - 1]!.overlaps(subnets[i]!)).toBe(false);
          expect(subnets[i - 1]!.last.next().equals(subnets[i]!.first)).toBe(true);
        }
        expect(subnets.at(-1)!.last.equals(block.last)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
