// IPAM allocations/s on a /16: memory store, and Redis next to raw `redis-benchmark -t incr`.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { createMemoryStore, MemoryBackend } from '@kemu/core';
import { allocateAddresses, ClaimIpamBackend, type ClaimStore, parseIpamConfig } from '../src/index.js';

const config = parseIpamConfig({ name: 'bench', cniVersion: '1.0.0', ipam: { ranges: [[{ subnet: '10.10.0.0/16' }]] } });

async function allocs(store: ClaimStore, count: number, mode: 'per-allocation' | 'deferred' = 'deferred'): Promise<number> {
  const backend = new ClaimIpamBackend(store, 'bench', mode);
  const start = performance.now();
  for (let i = 0; i < count; i++) await allocateAddresses(config, backend, { containerID: `c${i}`, ifname: 'eth0' });
  return count / ((performance.now() - start) / 1000);
}

export async function benchIpamMemory(): Promise<void> {
  const rate = await allocs(createMemoryStore({ backend: new MemoryBackend() }), 60_000);
  const perAlloc = await allocs(createMemoryStore({ backend: new MemoryBackend() }), 10_000, 'per-allocation');
  console.log(
    `ipam: ${Math.round(rate).toLocaleString('en-US')} allocations/s on a /16, memory store, agent mode (cursor deferred; 60,000 addresses; target >= 200,000)`,
  );
  console.log(
    `ipam: ${Math.round(perAlloc).toLocaleString('en-US')} allocations/s, memory store, plugin mode (cursor stored per allocation; 10,000 addresses)`,
  );
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function benchIpamRedis(): Promise<void> {
  const server = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!server) return void console.log('ipam redis: skipped (redis-server not installed)');
  const port = await freePort();
  const redis = spawn(server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const raw = spawnSync(
      'redis-benchmark',
      ['-h', '127.0.0.1', '-p', String(port), '-t', 'incr', '-n', '100000', '-c', '1', '-q'],
      { encoding: 'utf8' },
    );
    const incr = Number(/INCR: ([\d.]+)/.exec(raw.stdout)?.[1] ?? Number.NaN);
    let mod: { createRedisStore(o: { url: string; lab: string }): ClaimStore & { close(): Promise<void> } };
    try {
      const specifier = '@kemu/core/redis';
      mod = await import(specifier);
    } catch {
      console.log(
        `ipam redis: raw redis-benchmark INCR (1 client) ${Math.round(incr).toLocaleString('en-US')}/s; kemu allocation skipped (@kemu/core/redis not available)`,
      );
      return;
    }
    const store = mod.createRedisStore({ url: `redis://127.0.0.1:${port}`, lab: 'bench' });
    const rate = await allocs(store, 5_000);
    const store2 = mod.createRedisStore({ url: `redis://127.0.0.1:${port}`, lab: 'bench2' });
    const perAlloc = await allocs(store2, 2_000, 'per-allocation');
    await store2.close();
    await store.close();
    const pct = (r: number) => `${((r / incr) * 100).toFixed(0)}%`;
    console.log(
      `ipam redis: ${Math.round(rate).toLocaleString('en-US')} allocations/s agent mode = ${pct(rate)} of raw INCR (redis-benchmark, 1 client) ${Math.round(incr).toLocaleString('en-US')}/s (target >= 40%); plugin mode ${Math.round(perAlloc).toLocaleString('en-US')}/s = ${pct(perAlloc)}`,
    );
  } finally {
    redis.kill();
  }
}
