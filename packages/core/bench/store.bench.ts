import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { createMemoryStore, MemoryBackend, type Store } from '../src/index.js';
import { createRedisStore } from '../src/redis/index.js';
import { startRedisServer } from '../src/testing/index.js';

// Store benchmark: create/update/get ops/s with 10k objects and watch delivery latency with 10
// watchers, on memory and on Redis; for Redis, redis-benchmark's raw SET/GET on the same server in
// the same run. Targets (issue 2): Redis writes >= 40 % of raw SET, watch p99 < 10 ms.

const objects = 10_000;
const concurrency = 64;
const watchers = 10;
const watchWrites = 1_000;

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  data: Record<string, string>;
};

const configMap = (i: number, data: Record<string, string> = { v: '0' }): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `cm-${i}`, namespace: 'bench' },
  data,
});

/** Runs `op` for 0..count-1 with `parallel` calls in flight; returns ops/s. */
async function rate(count: number, parallel: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return (count / (performance.now() - start)) * 1000;
}

interface Figures {
  createSeq: number;
  updateSeq: number;
  getSeq: number;
  createPar: number;
  updatePar: number;
  getPar: number;
  p50: number;
  p99: number;
}

/** create/update/get, sequential then `concurrency` in flight, each over 10k objects in a fresh lab. */
async function crud(open: (lab: string) => Store): Promise<Omit<Figures, 'p50' | 'p99'>> {
  const phase = async (lab: string, parallel: number, count: number) => {
    const store = open(lab);
    const created: Obj[] = new Array(count);
    const create = await rate(count, parallel, async (i) => (created[i] = await store.create(configMap(i))));
    // Compare-and-swap updates carrying the resourceVersion just read, as controllers write.
    const update = await rate(count, parallel, (i) => store.update({ ...created[i]!, data: { v: '1' } }));
    const get = await rate(count, parallel, (i) => store.get({ kind: 'ConfigMap', namespace: 'bench', name: `cm-${i}` }));
    await store.close();
    return { create, update, get };
  };
  // Warm-up in throwaway labs: measure the steady state of a long-running lab, not the JIT.
  await phase(`${runId}-warm-seq`, 1, 3000);
  await phase(`${runId}-warm-par`, concurrency, 3000);
  const seq = await phase(`${runId}-seq`, 1, objects);
  const par = await phase(`${runId}-par`, concurrency, objects);
  return {
    createSeq: seq.create,
    updateSeq: seq.update,
    getSeq: seq.get,
    createPar: par.create,
    updatePar: par.update,
    getPar: par.get,
  };
}

/** Latency from the start of an update to its arrival at each of 10 watchers (sequential writes). */
async function watchLatency(open: (lab: string) => Store): Promise<{ p50: number; p99: number }> {
  const lab = `${runId}-watch`;
  const writer = open(lab);
  let current = await writer.create(configMap(0, { seq: '-1' }));
  const starts: number[] = [];
  const samples: number[] = [];
  const readers = Array.from({ length: watchers }, () => open(lab));
  const consumed = readers.map(async (reader) => {
    const watch = reader.watch<Obj>({ kind: 'ConfigMap', resourceVersion: current.metadata.resourceVersion });
    for await (const event of watch) {
      const seq = Number(event.object.data.seq);
      samples.push(performance.now() - starts[seq]!);
      if (seq === watchWrites - 1) break;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 200)); // let every watch connect first
  for (let seq = 0; seq < watchWrites; seq++) {
    starts[seq] = performance.now();
    current = await writer.update({ ...current, data: { seq: String(seq) } });
  }
  await Promise.all(consumed);
  await Promise.all([writer, ...readers].map((store) => store.close()));
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

const runId = `bench-${process.pid}`;
const fmt = (n: number) => Math.round(n).toLocaleString('en').padStart(9);
const ms = (n: number) => `${n.toFixed(3)} ms`;

function print(name: string, f: Figures): void {
  console.log(
    `store ${name.padEnd(6)} sequential ops/s: create ${fmt(f.createSeq)}  update ${fmt(f.updateSeq)}  get ${fmt(f.getSeq)}\n` +
      `store ${name.padEnd(6)} ${concurrency} in flight:    create ${fmt(f.createPar)}  update ${fmt(f.updatePar)}  get ${fmt(f.getPar)}\n` +
      `store ${name.padEnd(6)} watch latency, ${watchers} watchers: p50 ${ms(f.p50)}  p99 ${ms(f.p99)} (target p99 < 10 ms)`,
  );
}

/** redis-benchmark's rate for SET and GET (requests/s). */
function redisBenchmark(host: string, port: string, extra: string[]): { set: number; get: number } {
  const out = execFileSync(
    'redis-benchmark',
    ['-h', host, '-p', port, '-t', 'set,get', '-P', '1', '-n', '100000', '-q', ...extra],
    {
      encoding: 'utf8',
    },
  );
  const find = (name: string) => Number(new RegExp(`${name}: ([\\d.]+) requests per second`).exec(out)?.[1] ?? Number.NaN);
  return { set: find('SET'), get: find('GET') };
}

/** Deletes the benchmark's labs from a Redis that outlives the run. */
async function dropLabs(url: string): Promise<void> {
  const client = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `kemu:{${runId}-*`, 'COUNT', 1000);
    if (keys.length) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await client.quit();
}

/** Store benchmark: memory, then Redis next to redis-benchmark on the same server. */
export async function runStoreBench(): Promise<void> {
  const backend = new MemoryBackend();
  const memoryOpen = (lab: string) => createMemoryStore({ lab, backend });
  print('memory', { ...(await crud(memoryOpen)), ...(await watchLatency(memoryOpen)) });

  const server = process.env.KEMU_REDIS_URL ? undefined : await startRedisServer();
  const url = process.env.KEMU_REDIS_URL ?? server!.url;
  try {
    const redisOpen = (lab: string) => createRedisStore({ url, lab });
    const figures = { ...(await crud(redisOpen)), ...(await watchLatency(redisOpen)) };
    print('redis', figures);
    const { hostname, port } = new URL(url);
    const raw = redisBenchmark(hostname, port || '6379', []);
    const raw1 = redisBenchmark(hostname, port || '6379', ['-c', '1']);
    const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(0)} %`;
    console.log(
      `redis-benchmark -t set,get -P 1 -n 100000 (50 clients): SET ${fmt(raw.set)}  GET ${fmt(raw.get)} req/s\n` +
        `  store writes vs raw SET: create ${pct(figures.createPar, raw.set)}, update ${pct(figures.updatePar, raw.set)} (${concurrency} in flight; target >= 40 %)\n` +
        `redis-benchmark ... -c 1 (one client, like sequential calls): SET ${fmt(raw1.set)}  GET ${fmt(raw1.get)} req/s\n` +
        `  store sequential vs raw SET -c 1: create ${pct(figures.createSeq, raw1.set)}, update ${pct(figures.updateSeq, raw1.set)}, get vs GET ${pct(figures.getSeq, raw1.get)}`,
    );
    if (!server) await dropLabs(url);
  } finally {
    await server?.stop();
  }
}
