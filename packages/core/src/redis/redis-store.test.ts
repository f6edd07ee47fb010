import { Redis } from 'ioredis';
import { afterAll, test } from 'vitest';
import { conformanceLabPrefix } from '../store/fixtures.conformance.js';
import { describeStoreConformance } from '../store/store.conformance.js';
import { resolveTestRedis } from '../testing/index.js';
import { createRedisStore } from './redis-store.js';

// The shared store suite on a real redis-server (KEMU_REDIS_URL, or one started on loopback).
const redis = await resolveTestRedis();

if ('skip' in redis) {
  test('Redis store conformance', (context) => context.skip(redis.skip));
} else {
  afterAll(async () => {
    await dropLabs(redis.url, `kemu:{${conformanceLabPrefix}*`);
    await redis.stop();
  });
  describeStoreConformance('redis', {
    open: (lab, options = {}) => createRedisStore({ url: redis.url, lab, historyLimit: options.historyLimit }),
  });
}

/** Deletes this run's labs, so a shared Redis (KEMU_REDIS_URL) does not fill up run after run. */
async function dropLabs(url: string, pattern: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
