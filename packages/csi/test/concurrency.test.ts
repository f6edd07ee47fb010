// Several drivers on one store: atomic attach, idempotent names, restarts (CSI spec "Concurrency";
// kemu ARCHITECTURE "volume attachments are claimed atomically").
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '@kemu/core';
import { CsiClient, CsiDriver, serveCsiDriver } from '@kemu/csi/server';
import { afterEach, describe, expect, it } from 'vitest';
import { codeOf, type Lab, mountCap, startLab } from './harness.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe('several drivers on one store', () => {
  it('of concurrent publishes of one RWO volume to different nodes exactly one wins, the rest FAILED_PRECONDITION', async () => {
    lab = await startLab();
    const second = await lab.another({ nodeId: 'node-2' });
    const nodes = Array.from({ length: 10 }, (_, i) => `race-${i}`);
    for (const node of nodes) await lab.served.driver.registerNode(node);
    const { volume } = await lab.client.createVolume({ name: 'contended', volume_capabilities: [mountCap()] });
    const codes = await Promise.all(
      nodes.map((node_id, i) =>
        codeOf(
          (i % 2 ? second.client : lab!.client).controllerPublishVolume({
            volume_id: volume.volume_id,
            node_id,
            volume_capability: mountCap(),
            readonly: false,
          }),
        ),
      ),
    );
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === 9)).toHaveLength(9);
    const got = await lab.client.call<{ status: { published_node_ids: string[] } }>('Controller', 'ControllerGetVolume', {
      volume_id: volume.volume_id,
    });
    const winner = nodes[codes.indexOf(0)]!;
    expect(got.status.published_node_ids).toEqual([winner]);
    // nothing half-attached: the only claim is the winner's
    const claims = await lab.store.claims('csi.kemu.dev/');
    expect([...claims.entries()].filter(([key]) => key.includes('/attach/'))).toEqual([
      [`csi.kemu.dev/csi.kemu.dev/attach/${volume.volume_id}`, winner],
    ]);
  });

  it('concurrent CreateVolume calls with one name through two drivers create one volume', async () => {
    lab = await startLab();
    const second = await lab.another({ nodeId: 'node-2' });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? second.client : lab!.client).createVolume({ name: 'same-name', volume_capabilities: [mountCap()] }),
      ),
    );
    const ids = new Set(
      results
        .filter((r) => r.status === 'fulfilled')
        .map((r) => (r as PromiseFulfilledResult<{ volume: { volume_id: string } }>).value.volume.volume_id),
    );
    expect(ids.size).toBe(1);
    // a call that raced the first creator may be told to retry (ABORTED), never a second volume
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: number }).code).toBe(10);
    const list = await lab.client.call<{ entries: unknown[] }>('Controller', 'ListVolumes', {});
    expect(list.entries).toHaveLength(1);
  });

  it('a node-only driver answers Controller RPCs with UNIMPLEMENTED', async () => {
    lab = await startLab();
    const nodeOnly = await lab.another({ nodeId: 'node-2', controller: false });
    expect(await codeOf(nodeOnly.client.call('Controller', 'ControllerGetCapabilities'))).toBe(12);
    expect(await codeOf(nodeOnly.client.call('Node', 'NodeGetInfo'))).toBe(0);
  });
});

describe('restart', () => {
  it('a driver with persistState keeps volumes, attachments and the RWO guard across a restart on a fresh memory store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kemu-csi-restart-'));
    const endpoint = `unix://${join(dir, 'csi.sock')}`;
    const config = { stateDir: join(dir, 'state'), nodeId: 'node-1', persistState: true };
    try {
      const first = await serveCsiDriver(
        new CsiDriver({ ...config, store: createMemoryStore({ lab: `restart-a-${Date.now()}` }) }),
        endpoint,
      );
      const client = new CsiClient(endpoint);
      await first.driver.registerNode('node-2');
      const { volume } = await client.createVolume({ name: 'durable', volume_capabilities: [mountCap()] });
      await client.controllerPublishVolume({
        volume_id: volume.volume_id,
        node_id: 'node-1',
        volume_capability: mountCap(),
        readonly: false,
      });
      client.close();
      await first.close();

      const second = await serveCsiDriver(
        new CsiDriver({ ...config, store: createMemoryStore({ lab: `restart-b-${Date.now()}` }) }),
        endpoint,
      );
      const again = new CsiClient(endpoint);
      const got = await again.call<{ status: { published_node_ids: string[] } }>('Controller', 'ControllerGetVolume', {
        volume_id: volume.volume_id,
      });
      expect(got.status.published_node_ids).toEqual(['node-1']);
      expect((await again.createVolume({ name: 'durable', volume_capabilities: [mountCap()] })).volume.volume_id).toBe(
        volume.volume_id,
      );
      expect(
        await codeOf(
          again.controllerPublishVolume({
            volume_id: volume.volume_id,
            node_id: 'node-2',
            volume_capability: mountCap(),
            readonly: false,
          }),
        ),
      ).toBe(9);
      again.close();
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('endpoint', () => {
  it.each([
    ['tcp://127.0.0.1:10000', /unix:/],
    ['unix://relative.sock', /unix:/],
    ['unix:///tmp/csi', /\.sock/],
  ])('refuses %s', async (endpoint, message) => {
    const driver = new CsiDriver({ stateDir: join(tmpdir(), 'unused'), store: createMemoryStore({ lab: 'endpoint' }) });
    await expect(serveCsiDriver(driver, endpoint)).rejects.toThrow(message);
  });
});
