import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
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
