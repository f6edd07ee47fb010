import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { StoreInvalidError, StoreUnavailableError } from '../store/errors.js';
import { configMap } from '../store/fixtures.conformance.js';
import { resolveTestRedis } from '../testing/index.js';
import { createRedisStore, type RedisStore } from './redis-store.js';

// Redis-specific promises of the store: its key layout and the atomicity of its write scripts.
const redis = await resolveTestRedis();

if ('skip' in redis) {
  test('Redis store scripts', (context) => context.skip(redis.skip));
} else {
  const raw = new Redis(redis.url);
  const stores: RedisStore[] = [];
  const lab = `scripts-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const open = (name: string) => {
    const store = createRedisStore({ url: redis.url, lab: name });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    const keys = await raw.keys(`kemu:{${lab}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
    await redis.stop();
  });

  describe('Redis store layout and scripts', () => {
    // Hash tags (Redis Cluster spec): every key of a lab hashes on `{lab}`, so one script may
    // touch them all, on a single server or a cluster.
    test("keeps a lab's keys under kemu:{<lab>}:", async () => {
      const name = `${lab}-layout`;
      const store = open(name);
      await store.create(configMap('a'));
      await store.claim('ip/10.244.0.2', 'node-a');
      const keys = await raw.keys(`*${name}*`);
      expect(keys.sort()).toEqual([
        `kemu:{${name}}:claims`,
        `kemu:{${name}}:events`,
        `kemu:{${name}}:kinds`,
        `kemu:{${name}}:objects:ConfigMap`,
        `kemu:{${name}}:rv`,
      ]);
    });

    test('uses a given ioredis connection and leaves it open on close', async () => {
      const store = createRedisStore({ client: raw, lab: `${lab}-client` });
      await store.create(configMap('a'));
      expect(store.description).toBe(`redis://${raw.options.host}:${raw.options.port}/${raw.options.db ?? 0}`);
      await store.close();
      expect(await raw.ping()).toBe('PONG');
    });

    test('refuses a lab name that could break out of the hash tag', () => {
      expect(() => createRedisStore({ url: redis.url, lab: 'a}b' })).toThrow(StoreInvalidError);
    });

    // A write is one script: when Redis refuses its event (here: a stream already ahead of the
    // counter), neither the object nor the counter changes.
    test('a write whose event Redis refuses leaves nothing behind', async () => {
      const name = `${lab}-atomic`;
      const store = open(name);
      await store.create(configMap('a'));
      await raw.xadd(`kemu:{${name}}:events`, '1000-0', 't', 'ADDED', 'o', '{}');
      await expect(store.create(configMap('b'))).rejects.toThrow(StoreUnavailableError);
      expect(await store.get({ kind: 'ConfigMap', namespace: 'default', name: 'b' })).toBeUndefined();
      expect(await raw.get(`kemu:{${name}}:rv`)).toBe('1');
    });
  });
}
