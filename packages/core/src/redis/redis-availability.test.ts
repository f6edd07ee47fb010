import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { StoreAlreadyExistsError, StoreGoneError, StoreUnavailableError } from '../store/errors.js';
import { configMap, take } from '../store/fixtures.conformance.js';
import type { Store } from '../store/types.js';
import { freeLoopbackPort, locateRedisServer, type RedisServer, startRedisServer } from '../testing/index.js';
import { createRedisStore } from './redis-store.js';

// What the store does when Redis is not there: say which URL and why, retry with backoff, and
// never half-apply a write (each write is one atomic script).

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends Store | RedisServer>(resource: T): T {
  cleanups.push(() => ('close' in resource ? resource.close() : resource.stop()));
  return resource;
}

describe('unreachable Redis', () => {
  test('a call fails with StoreUnavailableError naming the URL (without password) and the reason', async () => {
    const port = await freeLoopbackPort(); // released again: nothing listens there
    const store = track(createRedisStore({ url: `redis://:secret@127.0.0.1:${port}/0`, lab: 'down', unavailableAfterMs: 1000 }));
    const failure = await store.create(configMap('a')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    const message = (failure as Error).message;
    expect(message).toContain(`redis://127.0.0.1:${port}/0`);
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toContain('secret');
  });
});

const binary = locateRedisServer();
const needsBinary = 'Redis restart tests skipped: redis-server is not on PATH';
if (!binary && process.env.CI === 'true') throw new Error(`${needsBinary} (CI=true: install redis-server)`);

describe('Redis restart', () => {
  if (!binary) {
    test('clients reconnect after a restart', (context) => context.skip(needsBinary));
    return;
  }

  /** A server this test can stop and start again on the same port (and, with `dataDir`, the same data). */
  async function restartable(dataDir?: string) {
    let server = await startRedisServer({ dataDir });
    const port = server.port;
    cleanups.push(() => server.stop());
    return {
      url: server.url,
      stop: () => server.stop(),
      start: async () => {
        server = await startRedisServer({ port, dataDir });
      },
    };
  }

  test('writes during a restart are applied once and an open watch delivers every event in order', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kemu-redis-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await restartable(dataDir);
    const writer = track(createRedisStore({ url: server.url, lab: 'restart' }));
    const reader = track(createRedisStore({ url: server.url, lab: 'restart' }));
    const watch = reader.watch({ resourceVersion: (await reader.list('ConfigMap')).resourceVersion });
    const names = Array.from({ length: 40 }, (_, i) => `cm-${String(i).padStart(2, '0')}`);
    for (const name of names.slice(0, 20)) await writer.create(configMap(name));
    await server.stop();
    // These queue while Redis is down and go out once it is back.
    const during = Promise.all(names.slice(20).map((name) => createSurely(writer, name)));
    await server.start();
    await during;
    const events = await take(watch, names.length, 10_000);
    expect(events.map((event) => event.object.metadata.name)).toEqual(names);
    const versions = events.map((event) => Number(event.object.metadata.resourceVersion));
    expect(versions).toEqual(versions.map((_, i) => versions[0]! + i));
    expect((await writer.list('ConfigMap')).items).toHaveLength(names.length);
    watch.close();
  });

  test('a Redis that lost its data fails open watches with StoreGoneError', async () => {
    const server = await restartable();
    const store = track(createRedisStore({ url: server.url, lab: 'amnesia' }));
    const watch = store.watch({ resourceVersion: '0' });
    for (let i = 0; i < 3; i++) await store.create(configMap(`cm-${i}`));
    expect(await take(watch, 3)).toHaveLength(3);
    await server.stop();
    await server.start(); // no persistence: the lab's history is gone
    await expect(take(watch, 1, 10_000)).rejects.toThrow(StoreGoneError);
  });
});

/** Creates `name`, retrying a call that failed while Redis was away (a repeat finds its own write). */
async function createSurely(store: Store, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await store.create(configMap(name));
      return;
    } catch (error) {
      if (error instanceof StoreAlreadyExistsError) return;
      if (!(error instanceof StoreUnavailableError) || attempt > 5) throw error;
    }
  }
}
