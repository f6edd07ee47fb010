// IPAM allocations/s on a /16: memory store, and Redis next to raw `redis-benchmark -t incr`.
import { spawnSync } from 'node:child_process';
import { createMemoryStore, MemoryBackend } from '@kemu/core';
import { createRedisStore } from '@kemu/core/redis';
import { locateRedisServer, startRedisServer } from '@kemu/core/testing';
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

/** One `redis-benchmark -t incr -c 1` run: the raw single-client round-trip rate of this Redis. */
function rawIncr(port: number, requests: number): number {
  const raw = spawnSync(
    'redis-benchmark',
    ['-h', '127.0.0.1', '-p', String(port), '-t', 'incr', '-n', String(requests), '-c', '1', '-q'],
    {
      encoding: 'utf8',
    },
  );
  return Number(/INCR: ([\d.]+)/.exec(raw.stdout)?.[1] ?? Number.NaN);
}

/** Allocations/s for the next `count` attachments of an already warm backend. */
async function timedAllocs(backend: ClaimIpamBackend, first: number, count: number): Promise<number> {
  const start = performance.now();
  for (let i = first; i < first + count; i++) await allocateAddresses(config, backend, { containerID: `c${i}`, ifname: 'eth0' });
  return count / ((performance.now() - start) / 1000);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/**
 * Redis IPAM next to raw INCR. The shared machine's load moves both figures by 2-3x within
 * seconds, so INCR and the allocations are measured back to back in short interleaved rounds and
 * the ratio is the median of the per-round ratios; a warm-up first keeps JIT and EVAL out of it.
 */
export async function benchIpamRedis(): Promise<void> {
  if (!locateRedisServer()) return void console.log('ipam redis: skipped (redis-server not installed)');
  const redis = await startRedisServer();
  const store = createRedisStore({ url: redis.url, lab: 'bench' });
  try {
    const agent = new ClaimIpamBackend(store, 'agent', 'deferred');
    const plugin = new ClaimIpamBackend(store, 'plugin', 'per-allocation');
    await timedAllocs(agent, 0, 1_000);
    await timedAllocs(plugin, 0, 300);
    const rounds: { incr: number; agent: number; plugin: number }[] = [];
    for (let round = 0; round < 5; round++) {
      const incr = rawIncr(redis.port, 20_000);
      rounds.push({
        incr,
        agent: await timedAllocs(agent, 1_000 + round * 2_000, 2_000),
        plugin: await timedAllocs(plugin, 300 + round * 500, 500),
      });
    }
    const n = (v: number) => Math.round(v).toLocaleString('en-US');
    const pct = (pick: (r: (typeof rounds)[number]) => number) =>
      `${(median(rounds.map((r) => pick(r) / r.incr)) * 100).toFixed(0)}%`;
    console.log(
      `ipam redis: ${n(median(rounds.map((r) => r.agent)))} allocations/s agent mode = ${pct((r) => r.agent)} of raw INCR (redis-benchmark, 1 client) ${n(median(rounds.map((r) => r.incr)))}/s (target >= 40%); plugin mode ${n(median(rounds.map((r) => r.plugin)))}/s = ${pct((r) => r.plugin)} (medians of 5 interleaved rounds)`,
    );
  } finally {
    await store.close();
    await redis.stop();
  }
}
