import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { StoreInvalidError } from './errors.js';
import { type ConfigMapFixture, configMap, type StoreConformanceFactory, useStores } from './fixtures.conformance.js';
import { updateWithRetry } from './retry.js';

/** Claims and concurrent writers: what IPAM and volume attach rely on. */
export function claimsConformance(factory: StoreConformanceFactory): void {
  describe('claims', () => {
    const stores = useStores(factory);

    test('the first holder wins; others see who holds the key', async () => {
      const store = await stores.open(stores.lab());
      expect(await store.claim('ip/10.244.0.5', 'node-a')).toEqual({ claimed: true, holder: 'node-a' });
      expect(await store.claim('ip/10.244.0.5', 'node-b')).toEqual({ claimed: false, holder: 'node-a' });
      expect(await store.holderOf('ip/10.244.0.5')).toBe('node-a');
    });

    test('claiming again as the same holder succeeds', async () => {
      const store = await stores.open(stores.lab());
      await store.claim('volume/pv-1', 'node-a');
      expect(await store.claim('volume/pv-1', 'node-a')).toEqual({ claimed: true, holder: 'node-a' });
    });

    test('only the holder releases a key', async () => {
      const store = await stores.open(stores.lab());
      await store.claim('volume/pv-1', 'node-a');
      expect(await store.release('volume/pv-1', 'node-b')).toBe(false);
      expect(await store.holderOf('volume/pv-1')).toBe('node-a');
      expect(await store.release('volume/pv-1', 'node-a')).toBe(true);
      expect(await store.holderOf('volume/pv-1')).toBeUndefined();
      expect(await store.claim('volume/pv-1', 'node-b')).toEqual({ claimed: true, holder: 'node-b' });
    });

    test('claims lists the keys under a prefix with their holders', async () => {
      const store = await stores.open(stores.lab());
      await store.claim('ip/10.244.0.2', 'node-a');
      await store.claim('ip/10.244.0.3', 'node-b');
      await store.claim('ipx/other', 'node-a');
      await store.claim('volume/*', 'node-c');
      expect(await store.claims('ip/')).toEqual(
        new Map([
          ['ip/10.244.0.2', 'node-a'],
          ['ip/10.244.0.3', 'node-b'],
        ]),
      );
      expect(await store.claims('volume/*')).toEqual(new Map([['volume/*', 'node-c']]));
    });

    // claimAll is all or none: IPAM claims an address and its owner index in one step.
    test('claimAll claims every free key for its holder', async () => {
      const store = await stores.open(stores.lab());
      const result = await store.claimAll!([
        ['ip/10.244.0.2', 'c1\r\neth0'],
        ['own/c1\r\neth0/0', '10.244.0.2'],
      ]);
      expect(result).toEqual({ claimed: true, holders: [undefined, undefined] });
      expect(await store.holderOf('ip/10.244.0.2')).toBe('c1\r\neth0');
      expect(await store.holderOf('own/c1\r\neth0/0')).toBe('10.244.0.2');
    });

    test('claimAll claims nothing when one key has another holder, and names the holders', async () => {
      const store = await stores.open(stores.lab());
      await store.claim('b', 'node-b');
      expect(
        await store.claimAll!([
          ['a', 'node-a'],
          ['b', 'node-a'],
          ['c', 'node-a'],
        ]),
      ).toEqual({
        claimed: false,
        holders: [undefined, 'node-b', undefined],
      });
      expect(await store.claims('')).toEqual(new Map([['b', 'node-b']]));
    });

    test('claimAll succeeds when the keys are free or already held by the same holders', async () => {
      const store = await stores.open(stores.lab());
      await store.claim('a', 'node-a');
      // The holders before the call tell a new claim from one already held.
      expect(
        await store.claimAll!([
          ['a', 'node-a'],
          ['b', 'node-b'],
        ]),
      ).toEqual({ claimed: true, holders: ['node-a', undefined] });
      expect(
        await store.claimAll!([
          ['a', 'node-a'],
          ['b', 'node-b'],
        ]),
      ).toEqual({ claimed: true, holders: ['node-a', 'node-b'] });
      expect(await store.claimAll!([])).toEqual({ claimed: true, holders: [] });
    });

    test('claimAll rejects a key listed twice and claims nothing', async () => {
      const store = await stores.open(stores.lab());
      await expect(
        store.claimAll!([
          ['a', 'node-a'],
          ['a', 'node-b'],
        ]),
      ).rejects.toBeInstanceOf(StoreInvalidError);
      expect(await store.holderOf('a')).toBeUndefined();
    });

    // Two agents claiming overlapping sets at once: each set is won whole or not at all, and every
    // key ends with one holder (the invariant IPAM's address + owner-index pair relies on).
    test('racing claimAll calls from two clients are each all or none', async () => {
      const keySet = fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 });
      await fc.assert(
        fc.asyncProperty(fc.array(keySet, { minLength: 2, maxLength: 12 }), async (sets) => {
          const lab = stores.lab();
          const clients = [await stores.open(lab), await stores.open(lab)];
          const results = await Promise.all(
            sets.map((set, attempt) =>
              clients[attempt % 2]!.claimAll!(set.map((k) => [`k/${k}`, `attempt-${attempt}`] as const)),
            ),
          );
          const held = await clients[0]!.claims('k/');
          sets.forEach((set, attempt) => {
            const mine = set.filter((k) => held.get(`k/${k}`) === `attempt-${attempt}`);
            expect(mine.length).toBe(results[attempt]!.claimed ? set.length : 0);
          });
          const winners = new Set(sets.flatMap((_, attempt) => (results[attempt]!.claimed ? [`attempt-${attempt}`] : [])));
          for (const holder of held.values()) expect(winners.has(holder)).toBe(true);
        }),
        { numRuns: 20 },
      );
    });

    // Two processes doing read-modify-write through compare-and-swap (client-go's
    // RetryOnConflict): a stale write always fails, so no increment is lost.
    test('racing read-modify-write increments from two clients lose no update', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 2, maxLength: 4 }), async (workers) => {
          const lab = stores.lab();
          const clients = [await stores.open(lab), await stores.open(lab)];
          await clients[0]!.create(configMap('counter', { data: { n: '0' } }));
          const key = { kind: 'ConfigMap', namespace: 'default', name: 'counter' };
          await Promise.all(
            workers.map(async (increments, worker) => {
              const client = clients[worker % 2]!;
              for (let i = 0; i < increments; i++) {
                await updateWithRetry<ConfigMapFixture>(
                  client,
                  key,
                  (current) => ({ ...current, data: { n: String(Number(current.data.n) + 1) } }),
                  1000,
                );
              }
            }),
          );
          const total = workers.reduce((sum, n) => sum + n, 0);
          expect((await clients[1]!.get<ConfigMapFixture>(key))?.data.n).toBe(String(total));
        }),
        { numRuns: 15 },
      );
    });

    // IPAM: two agents claiming the same addresses at once never both get one.
    test('racing claims from two clients give each key exactly one holder', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 20 }),
          fc.infiniteStream(fc.boolean()),
          async (hosts, order) => {
            const lab = stores.lab();
            const clients = [await stores.open(lab), await stores.open(lab)];
            const keys = hosts.map((host) => `ip/10.244.1.${host}`);
            const attempts = keys.flatMap((key) => {
              const pair = [clients[0]!.claim(key, 'node-a'), clients[1]!.claim(key, 'node-b')];
              return order.next().value ? pair : pair.reverse();
            });
            const results = await Promise.all(attempts);
            for (const key of keys) {
              const holder = await clients[0]!.holderOf(key);
              expect(holder === 'node-a' || holder === 'node-b').toBe(true);
            }
            expect(results.filter((result) => result.claimed)).toHaveLength(keys.length);
            expect((await clients[1]!.claims('ip/')).size).toBe(keys.length);
          },
        ),
        { numRuns: 20 },
      );
    });
  });
}
