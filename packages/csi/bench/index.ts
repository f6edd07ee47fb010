// @kemu/csi benchmarks: printed, bounded in time, asserting nothing.
//   pnpm --filter @kemu/csi bench
// 1. The full CSI lifecycle over the real unix socket against the gRPC round-trip floor (a Probe
//    loop) measured in the same run: the ratio per RPC is the figure (target ≥ 25 %).
// 2. 1,000 volumes across 50 nodes (50 node plugins, each on its own socket, one controller)
//    attached, staged and published concurrently: total time and RSS.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore, MemoryBackend } from '@kemu/core';
import type { VolumeCapability } from '@kemu/csi';
import { CsiClient, CsiDriver, type ServedCsiDriver, serveCsiDriver } from '@kemu/csi/server';

const cap: VolumeCapability = { mount: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } };
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function timed(seconds: number, step: () => Promise<void>): Promise<{ count: number; elapsed: number }> {
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < seconds * 1000) {
    await step();
    count++;
  }
  return { count, elapsed: (performance.now() - start) / 1000 };
}

async function lifecycleBench(dir: string): Promise<void> {
  const backend = new MemoryBackend();
  const served = await serveCsiDriver(
    new CsiDriver({ stateDir: join(dir, 'state'), store: createMemoryStore({ backend }), nodeId: 'node-1' }),
    `unix://${join(dir, 'lifecycle.sock')}`,
  );
  const client = new CsiClient(served.endpoint);
  await client.call('Identity', 'Probe');
  const probe = await timed(3, async () => {
    await client.call('Identity', 'Probe');
  });
  let i = 0;
  const rpcsPerLifecycle = 8;
  const lifecycle = await timed(5, async () => {
    const n = i++;
    const { volume } = await client.createVolume({
      name: `bench-${n}`,
      volume_capabilities: [cap],
      capacity_range: { required_bytes: 1024 * 1024 },
    });
    const id = volume.volume_id;
    const { publish_context } = await client.controllerPublishVolume({
      volume_id: id,
      node_id: 'node-1',
      volume_capability: cap,
      readonly: false,
    });
    const staging = join(dir, 'kubelet', id, 'globalmount');
    const target = join(dir, 'kubelet', 'pods', id, 'mount');
    await client.nodeStageVolume({ volume_id: id, staging_target_path: staging, volume_capability: cap, publish_context });
    await client.nodePublishVolume({
      volume_id: id,
      staging_target_path: staging,
      target_path: target,
      volume_capability: cap,
      readonly: false,
      publish_context,
    });
    await client.nodeUnpublishVolume({ volume_id: id, target_path: target });
    await client.nodeUnstageVolume({ volume_id: id, staging_target_path: staging });
    await client.controllerUnpublishVolume({ volume_id: id, node_id: 'node-1' });
    await client.deleteVolume({ volume_id: id });
  });
  const probeRate = probe.count / probe.elapsed;
  const lifecycleRate = lifecycle.count / lifecycle.elapsed;
  const rpcRate = lifecycleRate * rpcsPerLifecycle;
  console.log('1. full lifecycle over the unix socket (sequential, one client)');
  console.log(
    `   Probe round-trip floor : ${probeRate.toFixed(0)} calls/s (${((1000 * probe.elapsed) / probe.count).toFixed(3)} ms each)`,
  );
  console.log(
    `   lifecycle              : ${lifecycleRate.toFixed(1)} lifecycles/s = ${rpcRate.toFixed(0)} RPCs/s (${rpcsPerLifecycle} RPCs each)`,
  );
  console.log(`   ratio per RPC          : ${((100 * rpcRate) / probeRate).toFixed(1)} % of the Probe rate (target >= 25 %)`);
  client.close();
  await served.close();
}

async function fleetBench(dir: string): Promise<void> {
  const nodes = 50;
  const volumes = 1000;
  const backend = new MemoryBackend();
  const stateDir = join(dir, 'fleet-state');
  const served: ServedCsiDriver[] = [];
  const start = async (nodeId: string | undefined, name: string) => {
    const s = await serveCsiDriver(
      new CsiDriver({
        stateDir,
        store: createMemoryStore({ backend }),
        ...(nodeId ? { nodeId } : {}),
        maxVolumesPerNode: nodeId ? 64 : 0,
      }),
      `unix://${join(dir, `${name}.sock`)}`,
    );
    served.push(s);
    return new CsiClient(s.endpoint);
  };
  const controller = await start(undefined, 'controller');
  const nodeClients = await Promise.all(Array.from({ length: nodes }, (_, n) => start(`node-${n}`, `node-${n}`)));
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const ids = await Promise.all(
    Array.from(
      { length: volumes },
      async (_, v) => (await controller.createVolume({ name: `fleet-${v}`, volume_capabilities: [cap] })).volume.volume_id,
    ),
  );
  const t1 = performance.now();
  await Promise.all(
    ids.map(async (id, v) => {
      const nodeId = `node-${v % nodes}`;
      const node = nodeClients[v % nodes]!;
      const { publish_context } = await controller.controllerPublishVolume({
        volume_id: id,
        node_id: nodeId,
        volume_capability: cap,
        readonly: false,
      });
      const staging = join(dir, 'fleet-kubelet', nodeId, id, 'globalmount');
      await node.nodeStageVolume({ volume_id: id, staging_target_path: staging, volume_capability: cap, publish_context });
      await node.nodePublishVolume({
        volume_id: id,
        staging_target_path: staging,
        target_path: join(dir, 'fleet-kubelet', nodeId, 'pods', id, 'mount'),
        volume_capability: cap,
        readonly: false,
        publish_context,
      });
    }),
  );
  const t2 = performance.now();
  const rss = process.memoryUsage().rss;
  console.log(
    `2. ${volumes} volumes across ${nodes} nodes (${nodes} node plugins + 1 controller, each on its own socket, one store)`,
  );
  console.log(`   create ${volumes} volumes concurrently     : ${((t1 - t0) / 1000).toFixed(2)} s`);
  console.log(
    `   attach + stage + publish concurrently : ${((t2 - t1) / 1000).toFixed(2)} s (${((3 * volumes) / ((t2 - t1) / 1000)).toFixed(0)} RPCs/s)`,
  );
  console.log(`   total                                 : ${((t2 - t0) / 1000).toFixed(2)} s`);
  console.log(`   RSS                                   : ${mib(rss)} (${mib(rss - rssBefore)} more than before the volumes)`);
  controller.close();
  for (const c of nodeClients) c.close();
  for (const s of served) await s.close();
}

const dir = await mkdtemp(join(tmpdir(), 'kemu-csi-bench-'));
try {
  console.log(`@kemu/csi bench — node ${process.version}, ${new Date().toISOString()}`);
  await lifecycleBench(dir);
  await fleetBench(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
