// Several drivers on one Redis keep one truth (kemu ARCHITECTURE "The store"): atomic RWO
// attach across processes' stores, and a restarted driver sees everything.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '@kemu/core';
import { createRedisStore } from '@kemu/core/redis';
import { resolveTestRedis, type TestRedis } from '@kemu/core/testing';
import { CsiClient, CsiDriver, listDriverVolumes, type ServedCsiDriver, serveCsiDriver } from '@kemu/csi/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, mountCap } from './harness.js';

const redis = await resolveTestRedis();

describe.skipIf('skip' in redis)(`CSI drivers on one Redis${'skip' in redis ? ` (${redis.skip})` : ''}`, () => {
  const lab = `csi-${process.pid}-${Date.now()}`;
  let dir: string;
  const opened: { store: Store; served: ServedCsiDriver; client: CsiClient }[] = [];

  async function driver(name: string, nodeId: string) {
    const store = createRedisStore({ url: (redis as TestRedis).url, lab });
    const served = await serveCsiDriver(
      new CsiDriver({ stateDir: join(dir, 'state'), store, nodeId }),
      `unix://${join(dir, `${name}.sock`)}`,
    );
    const entry = { store, served, client: new CsiClient(served.endpoint) };
    opened.push(entry);
    return entry;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-csi-redis-'));
  });
  afterAll(async () => {
    for (const { store, served, client } of opened) {
      client.close();
      await served.close();
      await store.close();
    }
    await rm(dir, { recursive: true, force: true });
    if (!('skip' in redis)) await redis.stop();
  });

  it('of concurrent publishes of one RWO volume through two drivers exactly one wins, and a new driver sees it', async () => {
    const a = await driver('a', 'node-a');
    const b = await driver('b', 'node-b');
    const nodes = ['node-a', 'node-b', ...Array.from({ length: 6 }, (_, i) => `node-${i}`)];
    for (const node of nodes.slice(2)) await a.served.driver.registerNode(node);
    const { volume } = await a.client.createVolume({ name: 'on-redis', volume_capabilities: [mountCap()] });
    const codes = await Promise.all(
      nodes.map((node_id, i) =>
        codeOf(
          (i % 2 ? b : a).client.controllerPublishVolume({
            volume_id: volume.volume_id,
            node_id,
            volume_capability: mountCap(),
            readonly: false,
          }),
        ),
      ),
    );
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === 9)).toHaveLength(nodes.length - 1);
    const c = await driver('c', 'node-c');
    const got = await c.client.call<{ status: { published_node_ids: string[] } }>('Controller', 'ControllerGetVolume', {
      volume_id: volume.volume_id,
    });
    expect(got.status.published_node_ids).toEqual([nodes[codes.indexOf(0)]]);
    expect((await c.client.createVolume({ name: 'on-redis', volume_capabilities: [mountCap()] })).volume.volume_id).toBe(
      volume.volume_id,
    );
    expect(await listDriverVolumes({ store: c.store })).toMatchObject([
      { name: 'on-redis', attachedTo: [{ node: nodes[codes.indexOf(0)] }] },
    ]);
  });
});
