import { createMemoryStore, MemoryBackend, parseIP, type Store } from '@kemu/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IpamAllocationError, IpamConfigError } from '../errors.js';
import { allocateAddresses, checkAddresses, releaseAddresses } from './allocator.js';
import { ClaimIpamBackend, type ClaimStore, holderOf, ipamKeyPrefix } from './claim-backend.js';
import { type IpamConfigJSON, parseIpamConfig } from './config.js';
import { RangeIterator } from './iterator.js';

function setup(ipam: IpamConfigJSON, extra: { args?: string; cniVersion?: string } = {}) {
  const config = parseIpamConfig({
    name: 'lab',
    ipam,
    ...(extra.cniVersion ? { cniVersion: extra.cniVersion } : { cniVersion: '1.0.0' }),
    ...(extra.args ? { argsIP: parseIP(extra.args) } : {}),
  });
  const backend = new ClaimIpamBackend(createMemoryStore({ backend: new MemoryBackend() }), 'lab');
  const add = async (id: string, ifname = 'eth0') =>
    (await allocateAddresses(config, backend, { containerID: id, ifname })).map((a) => a.ip.toString());
  const del = (id: string, ifname = 'eth0') => releaseAddresses(backend, { containerID: id, ifname });
  return { config, backend, add, del };
}
const net24 = { ranges: [[{ subnet: '10.1.0.0/24' }]] };

describe('host-local allocation order (reference §2.3, allocator.go GetIter)', () => {
  it('gives .2 first: .1 is the gateway', async () => {
    const { add } = setup(net24);
    expect(await add('a')).toEqual(['10.1.0.2']);
    expect(await add('b')).toEqual(['10.1.0.3']);
  });

  it('hands out .1 when the gateway is .254', async () => {
    const { add } = setup({ ranges: [[{ subnet: '10.1.0.0/24', gateway: '10.1.0.254' }]] });
    expect(await add('a')).toEqual(['10.1.0.1']);
  });

  it('skips a gateway of .2: .1, .3, .4', async () => {
    const { add } = setup({ ranges: [[{ subnet: '10.1.0.0/24', gateway: '10.1.0.2' }]] });
    expect([await add('a'), await add('b'), await add('c')].flat()).toEqual(['10.1.0.1', '10.1.0.3', '10.1.0.4']);
  });

  it('honours rangeStart/rangeEnd and reports exhaustion with the effective pool', async () => {
    const { add } = setup({ ranges: [[{ subnet: '10.1.0.0/24', rangeStart: '10.1.0.100', rangeEnd: '10.1.0.102' }]] });
    expect([await add('a'), await add('b'), await add('c')].flat()).toEqual(['10.1.0.100', '10.1.0.101', '10.1.0.102']);
    await expect(add('d')).rejects.toThrow(
      'failed to allocate for range 0: no IP addresses available in range set: 10.1.0.100-10.1.0.102',
    );
  });

  it('does not reuse a freed IP: the cursor continues after the last reserved one', async () => {
    const { add, del } = setup(net24);
    await add('a');
    await add('b');
    await del('a');
    expect(await add('c')).toEqual(['10.1.0.4']);
    expect(await add('a')).toEqual(['10.1.0.5']);
  });

  it('wraps to rangeStart and finds the freed address in a full /29', async () => {
    const { add, del } = setup({ ranges: [[{ subnet: '10.1.0.0/29' }]] });
    for (const id of ['a', 'b', 'c', 'd', 'e']) await add(id); // .2-.6
    await del('c'); // .4
    expect(await add('f')).toEqual(['10.1.0.4']);
  });

  it('moves to the second range of a set once the first is full', async () => {
    const { add } = setup({ ranges: [[{ subnet: '10.1.0.0/30' }, { subnet: '10.1.0.4/30' }]] });
    expect([await add('a'), await add('b')].flat()).toEqual(['10.1.0.2', '10.1.0.6']);
  });

  it('takes one address from every range set (dual-stack), excludes no IPv6 "broadcast", leaves nothing half-allocated', async () => {
    const { add, backend } = setup({ ranges: [[{ subnet: '10.1.0.0/24' }], [{ subnet: 'fd00:10::/126' }]] });
    expect(await add('a')).toEqual(['10.1.0.2', 'fd00:10::2']);
    expect(await add('b')).toEqual(['10.1.0.3', 'fd00:10::3']);
    await expect(add('c')).rejects.toThrow(
      'failed to allocate for range 1: no IP addresses available in range set: fd00:10::1-fd00:10::3',
    );
    // main.go releases what range set 0 already gave c.
    expect([...(await backend.reservations()).keys()].sort()).toEqual(['10.1.0.2', '10.1.0.3', 'fd00:10::2', 'fd00:10::3']);
  });

  it('rejects a second ADD of the same (containerID, ifname) but not another ifname', async () => {
    const { add } = setup(net24);
    await add('c1');
    await expect(add('c1')).rejects.toThrow(
      'failed to allocate for range 0: 10.1.0.2 has been allocated to c1, duplicate allocation is not allowed',
    );
    expect(await add('c1', 'eth1')).toEqual(['10.1.0.3']);
  });

  it('gives a requested IP (CNI_ARGS IP=) and refuses the gateway or a taken one', async () => {
    const a = setup(net24, { args: '10.1.0.50' });
    expect(await a.add('x')).toEqual(['10.1.0.50']);
    await expect(a.add('y')).rejects.toThrow(
      'failed to allocate for range 0: requested IP address 10.1.0.50 is not available in range set 10.1.0.1-10.1.0.254',
    );
    const g = setup(net24, { args: '10.1.0.1' });
    await expect(g.add('x')).rejects.toThrow("failed to allocate for range 0: requested ip 10.1.0.1 is subnet's gateway");
  });

  it('fails a requested IP outside every range but keeps the cursor move (1.1.1 quirk)', async () => {
    const { config, backend, add } = setup(net24);
    const off = { ...config, requestedIPs: [parseIP('10.9.0.5')] };
    await expect(allocateAddresses(off, backend, { containerID: 'x', ifname: 'eth0' })).rejects.toThrow(
      'failed to allocate all requested IPs: 10.9.0.5',
    );
    expect(await add('y')).toEqual(['10.1.0.3']);
  });

  it('DEL is idempotent and ignores unknown containers and wrong ifnames', async () => {
    const { add, del, backend } = setup(net24);
    await add('a');
    await del('a', 'eth9');
    expect((await backend.reservations()).size).toBe(1);
    await del('a');
    await del('a');
    await del('nobody');
    expect((await backend.reservations()).size).toBe(0);
  });

  it('CHECK fails with host-local wording when nothing is held', async () => {
    const { config, backend, add } = setup(net24);
    await add('a');
    await checkAddresses(config, backend, { containerID: 'a', ifname: 'eth0' });
    await expect(checkAddresses(config, backend, { containerID: 'b', ifname: 'eth0' })).rejects.toThrow(
      'host-local: Failed to find address added by container b',
    );
  });
});

describe('host-local config validation (reference §2.3; messages as 1.1.1 prints them)', () => {
  const cases: [string, IpamConfigJSON, string][] = [
    ['a /31', { ranges: [[{ subnet: '10.1.0.0/31' }]] }, 'invalid range set 0: Network 10.1.0.0/31 too small to allocate from'],
    [
      'host bits',
      { ranges: [[{ subnet: '10.1.0.5/24' }]] },
      'invalid range set 0: Network has host bits set. For a subnet mask of length 24 the network address is 10.1.0.0',
    ],
    [
      'rangeStart outside',
      { ranges: [[{ subnet: '10.1.0.0/24', rangeStart: '10.2.0.10' }]] },
      'invalid range set 0: RangeStart 10.2.0.10 not in network 10.1.0.0/24',
    ],
    [
      'start after end',
      { ranges: [[{ subnet: '10.1.0.0/24', rangeStart: '10.1.0.10', rangeEnd: '10.1.0.5' }]] },
      'invalid range set 0: RangeStart 10.1.0.10 not in network 10.1.0.0/24',
    ],
    ['no ranges', { ranges: [] }, 'no IP ranges specified'],
    ['empty set', { ranges: [[]] }, 'invalid range set 0: empty range set'],
    ['overlapping sets', { ranges: [[{ subnet: '10.1.0.0/24' }], [{ subnet: '10.1.0.128/25' }]] }, 'range set 0 overlaps with 1'],
    [
      'mixed families',
      { ranges: [[{ subnet: '10.1.0.0/24' }, { subnet: 'fd00::/64' }]] },
      'invalid range set 0: mixed address families',
    ],
    ['bad CIDR', { ranges: [[{ subnet: 'bogus' }]] }, 'invalid CIDR address: bogus'],
  ];
  for (const [name, ipam, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => parseIpamConfig({ name: 'lab', cniVersion: '1.0.0', ipam })).toThrow(new IpamConfigError(message));
    });
  }

  it('puts the legacy top-level subnet first', () => {
    const c = parseIpamConfig({
      name: 'n',
      cniVersion: '1.0.0',
      ipam: { subnet: '10.3.0.0/24', ranges: [[{ subnet: '10.1.0.0/24' }]] },
    });
    expect(c.ranges.map((s) => s[0]!.subnet.toString())).toEqual(['10.3.0.0/24', '10.1.0.0/24']);
  });
});

describe('RangeIterator (allocator.go RangeIter)', () => {
  it('ends with the last reserved IP after a full circle', () => {
    const { config } = setup({ ranges: [[{ subnet: '10.1.0.0/29' }]] });
    const order = [...new RangeIterator(config.ranges[0]!, parseIP('10.1.0.4'))].map((c) => c.ip.toString());
    expect(order).toEqual(['10.1.0.5', '10.1.0.6', '10.1.0.2', '10.1.0.3', '10.1.0.4']);
  });
});

/** The store as a wrapper that forwards only the single-key calls (no `claimAll`). */
function withoutClaimAll(store: Store): ClaimStore {
  return {
    claim: (key, holder) => store.claim(key, holder),
    release: (key, holder) => store.release(key, holder),
    holderOf: (key) => store.holderOf(key),
    claims: (prefix) => store.claims(prefix),
  };
}

describe('owner index (one claimAll per candidate)', () => {
  const config = parseIpamConfig({
    name: 'lab',
    cniVersion: '1.0.0',
    ipam: { ranges: [[{ subnet: '10.1.0.0/24', rangeStart: '10.1.0.2', rangeEnd: '10.1.0.4' }]] },
  });
  const add = async (backend: ClaimIpamBackend, id: string) =>
    (await allocateAddresses(config, backend, { containerID: id, ifname: 'eth0' })).map((a) => a.ip.toString());

  // host-local main.go checks GetByID before the search, so a duplicate is reported even when the
  // search would come round to the attachment's own address.
  it('rejects a duplicate ADD when the only candidate left is the attachment own address', async () => {
    const backend = new ClaimIpamBackend(createMemoryStore({ backend: new MemoryBackend() }), 'lab', 'deferred');
    for (const id of ['a', 'b', 'c']) await add(backend, id);
    await expect(add(backend, 'a')).rejects.toThrow(
      'failed to allocate for range 0: 10.1.0.2 has been allocated to a, duplicate allocation is not allowed',
    );
    expect((await backend.reservations()).get('10.1.0.2')).toEqual({ containerID: 'a', ifname: 'eth0' });
  });

  // An index entry whose address was released without it (an interrupted DEL) is not a duplicate.
  it('replaces a stale owner index entry instead of reporting a duplicate', async () => {
    const store = createMemoryStore({ backend: new MemoryBackend() });
    const backend = new ClaimIpamBackend(store, 'lab');
    expect(await add(backend, 'a')).toEqual(['10.1.0.2']);
    await store.release(`${ipamKeyPrefix('lab')}ip/10.1.0.2`, holderOf('a', 'eth0'));
    expect(await add(backend, 'a')).toEqual(['10.1.0.3']);
    expect(await store.holderOf(`${ipamKeyPrefix('lab')}own/${holderOf('a', 'eth0')}/0`)).toBe('10.1.0.3');
  });

  it('gives the same addresses and errors over a store without claimAll', async () => {
    const backend = new ClaimIpamBackend(withoutClaimAll(createMemoryStore({ backend: new MemoryBackend() })), 'lab');
    expect(await add(backend, 'a')).toEqual(['10.1.0.2']);
    expect(await add(backend, 'b')).toEqual(['10.1.0.3']);
    await expect(add(backend, 'a')).rejects.toThrow('10.1.0.2 has been allocated to a, duplicate allocation is not allowed');
    await releaseAddresses(backend, { containerID: 'b', ifname: 'eth0' });
    expect(await add(backend, 'c')).toEqual(['10.1.0.4']);
  });
});

describe('claims across clients', () => {
  // The store's claim is atomic across clients; two allocators racing never share an address.
  it('never hands out one IP twice across two clients on one backend', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (ops, mixed) => {
          const shared = new MemoryBackend();
          const config = parseIpamConfig({ name: 'lab', ipam: { ranges: [[{ subnet: '10.1.0.0/28' }]] } });
          // One client stores the cursor per allocation (plugin), the other defers it (agent); when
          // `mixed`, the plugin one claims key by key (a store without claimAll).
          const modes = ['per-allocation', 'deferred'] as const;
          const clients = [0, 1].map((i) => {
            const store = createMemoryStore({ backend: shared });
            return { i, b: new ClaimIpamBackend(mixed && i === 0 ? withoutClaimAll(store) : store, 'lab', modes[i]) };
          });
          const live = new Map<string, string>();
          let n = 0;
          await Promise.all(
            ops.map(async ([second, isDel]) => {
              const { b, i } = clients[second ? 1 : 0]!;
              const id = `c${n++}`;
              try {
                const [got] = await allocateAddresses(config, b, { containerID: id, ifname: 'eth0' });
                const ip = got!.ip.toString();
                expect(live.has(ip)).toBe(false);
                live.set(ip, id);
                if (isDel) {
                  live.delete(ip);
                  await releaseAddresses(b, { containerID: id, ifname: `eth0` });
                }
              } catch (err) {
                expect(err).toBeInstanceOf(IpamAllocationError);
              }
              return i;
            }),
          );
          const reserved = await clients[0]!.b.reservations();
          expect([...reserved.keys()].sort()).toEqual([...live.keys()].sort());
        },
      ),
      { numRuns: 60 },
    );
  });
});
