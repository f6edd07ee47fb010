// Issue 8, "Benchmarks": 1, 3 and 6 `kemu agent` processes on one Redis — pods/s to Ready and
// cross-node requests/s. Every process is the built bin (`pnpm build` first), as a user runs it:
// one redis-server, one `kemu up --no-agents` control plane, N agents advertising 127.0.0.2….
// Requests go through a client pod's HTTP proxy (its agent's, as the pod's HTTP_PROXY says) to a
// pod on another node, crossing the HTTP/2 overlay tunnel; the same GET sent straight to a pod's
// real port is the loopback reference of the same run. The in-process lab is printed beside it.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KubernetesObject, type Pod, parseManifestsOrThrow, type Store } from '@kemu/core';
import { createRedisStore } from '@kemu/core/redis';
import { locateRedisServer, startRedisServer } from '@kemu/core/testing';
import { Pool } from 'undici';
import { isPodReady } from '../src/lab/pods.js';
import { startFullLab } from '../src/wiring/full-lab.js';
import { echoDeployment } from './manifests.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
// KEMU_BENCH_AGENTS=1,3 runs a subset.
const agentCounts = (process.env.KEMU_BENCH_AGENTS ?? '1,3,6').split(',').map(Number);
const pods = 120;
const concurrency = 32;
const durationMs = 5_000;
const warmupMs = 500;

interface PodView {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { nodeName?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

interface PodNetwork {
  httpProxy?: string;
  ports: { containerPort: number; host: string; port: number }[];
}

/** One load run's figures. */
interface LoadFigures {
  requests: number;
  errors: number;
  /** Failures by status code or error code, so a failed run says why. */
  errorKinds: Record<string, number>;
  perSecond: number;
  p99Ms: number;
}

/** One GET target: the origin the pool connects to, the request path and its headers. */
interface Target {
  origin: string;
  path: string;
  headers: Record<string, string>;
}

/** A long-running kemu process and what it printed (as tests/agents.test.ts runs them). */
class KemuProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no ${pattern} from kemu ${this.child.spawnargs.slice(2, 3)}:\n${this.stdout}\n${this.stderr}`);
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deployment(replicas: number): KubernetesObject {
  return parseManifestsOrThrow(echoDeployment('bench', replicas))[0]!;
}

const ready = (pod: PodView) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

function network(pod: PodView): PodNetwork | undefined {
  const text = pod.metadata.annotations?.['kemu.dev/pod-network'];
  return text ? (JSON.parse(text) as PodNetwork) : undefined;
}

/**
 * Closed loop: `concurrency` loops spread over the targets (one keep-alive pool each), each sending
 * the next GET on the last answer, for `forMs`. The agents are other processes, so this event loop
 * is the client's alone.
 */
async function load(targets: Target[], forMs: number): Promise<LoadFigures> {
  const pools = targets.map((t) => new Pool(t.origin, { connections: Math.ceil(concurrency / targets.length), pipelining: 1 }));
  const latencies: number[] = [];
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  const fail = (kind: string) => {
    errors += 1;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const started = performance.now();
  const stopAt = started + forMs;
  const loop = async (i: number) => {
    const target = targets[i % targets.length]!;
    const pool = pools[i % targets.length]!;
    while (performance.now() < stopAt) {
      const sent = performance.now();
      try {
        const response = await pool.request({ method: 'GET', path: target.path, headers: target.headers });
        if (response.statusCode === 200) {
          await response.body.dump();
          latencies.push(performance.now() - sent);
        } else {
          // The pod network says why in kemu-reason (a refusal) or the body (an upstream error).
          const why = response.headers['kemu-reason'] ?? (await response.body.text()).trim().slice(0, 60);
          fail(`HTTP ${response.statusCode} ${decodeURIComponent(String(why))}`);
        }
      } catch (error) {
        fail((error as { code?: string }).code ?? (error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)));
  const elapsed = performance.now() - started;
  await Promise.all(pools.map((p) => p.close()));
  const sorted = Float64Array.from(latencies).sort();
  const p99Ms = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]! : Number.NaN;
  return { requests: sorted.length, errors, errorKinds, perSecond: (sorted.length / elapsed) * 1000, p99Ms };
}

async function measured(targets: Target[]): Promise<LoadFigures> {
  await load(targets, warmupMs);
  return load(targets, durationMs);
}

/** Through the HTTP proxy of a pod on `from`'s node, to `to`'s pod IP: the pod-to-pod path. */
function viaProxy(from: PodView, to: PodView): Target {
  const proxy = network(from)?.httpProxy;
  if (!proxy) throw new Error(`pod ${from.metadata.name} publishes no httpProxy`);
  const authority = `${to.status!.podIP}:8080`;
  return { origin: new URL(proxy).origin, path: `http://${authority}/bench`, headers: { host: authority } };
}

/** Straight to the pod's real loopback port: no proxy, no tunnel. */
function direct(to: PodView): Target {
  const binding = network(to)?.ports.find((p) => p.containerPort === 8080);
  if (!binding) throw new Error(`pod ${to.metadata.name} publishes no port 8080`);
  return { origin: `http://${binding.host}:${binding.port}`, path: '/bench', headers: {} };
}

/** The figures of one agent count. */
interface Row {
  agents: number;
  agentsUpMs: number;
  createdMs: number;
  boundMs: number;
  readyMs: number;
  readyCount: number;
  podPath: string;
  viaProxy?: LoadFigures;
  sameNode?: LoadFigures;
  direct?: LoadFigures;
  controlRssMB: number;
}

async function runAgents(count: number): Promise<Row> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-agents-bench-'));
  const redis = await startRedisServer();
  const lab = `bench-${count}`;
  const dataDir = path.join(scratch, 'data');
  const processes: KemuProcess[] = [];
  try {
    const control = new KemuProcess([
      'up',
      ...['--store', redis.url, '--lab', lab, '--no-agents', '--data-dir', dataDir],
      ...['--api-port', '0', '--ingress-port', '0', '--dashboard-port', '0'],
    ]);
    processes.push(control);
    const api = (await control.waitFor(/^API: (\S+)$/m))[1]!;
    const agentsStarted = performance.now();
    const agents = Array.from({ length: count }, (_, i) => {
      const agent = new KemuProcess([
        'agent',
        ...['--store', redis.url, '--lab', lab, '--node', `agent-${i + 1}`, '--advertise', `127.0.0.${i + 2}`],
        ...['--zone', i % 2 ? 'zone-b' : 'zone-a', '--data-dir', dataDir],
      ]);
      processes.push(agent);
      return agent;
    });
    await Promise.all(agents.map((a, i) => a.waitFor(new RegExp(`kemu agent agent-${i + 1} up`))));
    const agentsUpMs = performance.now() - agentsStarted;

    const list = async (): Promise<PodView[]> =>
      ((await (await fetch(`${api}/api/v1/namespaces/default/pods`)).json()) as { items: PodView[] }).items;
    const applied = performance.now();
    const created = await fetch(`${api}/apis/apps/v1/namespaces/default/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(deployment(pods)),
    });
    if (created.status !== 201) throw new Error(`deployment not created: ${created.status} ${await created.text()}`);
    let all: PodView[] = [];
    // Where the time goes: every pod created (ReplicaSet), bound (scheduler), then Ready (agents).
    let createdMs = Number.NaN;
    let boundMs = Number.NaN;
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      all = await list();
      const at = performance.now() - applied;
      if (Number.isNaN(createdMs) && all.length === pods) createdMs = at;
      if (Number.isNaN(boundMs) && all.length === pods && all.every((p) => p.spec.nodeName)) boundMs = at;
      if (all.length === pods && all.every(ready) && all.every((p) => network(p)?.httpProxy)) break;
      await sleep(50);
    }
    const readyMs = performance.now() - applied;
    const readyCount = all.filter(ready).length;
    const controlRssMB = rssMB(control.child.pid);
    const base = { agents: count, agentsUpMs, createdMs, boundMs, readyMs, readyCount, controlRssMB };
    if (readyCount < pods) return { ...base, podPath: '' };

    // One client pod per node, each aimed at a pod on the next node (the same node when there is one).
    const byNode = new Map<string, PodView[]>();
    for (const p of all) byNode.set(p.spec.nodeName!, [...(byNode.get(p.spec.nodeName!) ?? []), p]);
    const nodes = [...byNode.keys()].sort();
    const pairs = nodes.map((node, i) => {
      const here = byNode.get(node)!;
      const there = byNode.get(nodes[(i + 1) % nodes.length]!)!;
      return { from: here[0]!, to: nodes.length > 1 ? there[0]! : here[1]!, neighbour: here[1] ?? here[0]! };
    });
    const crossing = nodes.length > 1;
    const proxied = await measured(pairs.map((p) => viaProxy(p.from, p.to)));
    // With several nodes, the same proxy to a pod on its own node separates the tunnel's cost from the proxy's.
    const sameNode = crossing ? await measured(pairs.map((p) => viaProxy(p.from, p.neighbour))) : undefined;
    const straight = await measured(pairs.map((p) => direct(p.to)));
    return {
      ...base,
      podPath: crossing ? 'pod → proxy → tunnel → pod (cross-node)' : 'pod → proxy → pod (same node, baseline)',
      viaProxy: proxied,
      sameNode,
      direct: straight,
    };
  } finally {
    for (const p of processes.slice(1).reverse()) await p.stop();
    await processes[0]?.stop();
    await redis.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Resident memory of a child process in MB (Linux /proc), NaN elsewhere. */
function rssMB(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** The in-process lab (memory store, node agents in this process) to all Ready, for comparison. */
async function inProcess(nodes: number, store?: Store): Promise<{ readyMs: number; readyCount: number }> {
  const full = await startFullLab({ nodes, store, ingressPort: 0, dashboardPort: false, api: false });
  try {
    const started = performance.now();
    await full.lab.apply([deployment(pods)]);
    let readyCount = 0;
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      readyCount = full.lab.informers.for<Pod>('Pod').list().filter(isPodReady).length;
      if (readyCount === pods) break;
      await sleep(10);
    }
    return { readyMs: performance.now() - started, readyCount };
  } finally {
    await full.close();
  }
}

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const ms2 = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${x.toFixed(2)} ms` : '–');

const failed = (f: LoadFigures) =>
  `${f.errors} failed${
    f.errors
      ? `: ${Object.entries(f.errorKinds)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}`
      : ''
  }`;

/** Prints pods/s to Ready and pod-to-pod requests/s for 1, 3 and 6 agent processes on one Redis. */
export async function runAgentsBench(): Promise<void> {
  if (!locateRedisServer()) {
    console.log('agents bench: skipped, redis-server is not installed');
    return;
  }
  if (!fs.existsSync(bin)) {
    console.log(`agents bench: skipped, ${bin} is missing (run \`pnpm build\` first)`);
    return;
  }
  console.log(
    `agents bench: ${pods} kemu/echo replicas per run; GET, ${concurrency} keep-alive connections, closed loop, ${durationMs / 1000} s (${os.cpus().length} cores)`,
  );
  const rows: Row[] = [];
  for (const count of agentCounts) {
    try {
      const row = await runAgents(count);
      rows.push(row);
      const rate = (row.readyCount / row.readyMs) * 1000;
      console.log(
        `  ${count} agent process(es): agents up in ${n0(row.agentsUpMs)} ms; ${row.readyCount}/${pods} pods Ready in ${n0(row.readyMs)} ms ` +
          `(${n0(rate)} pods/s; all created at ${n0(row.createdMs)} ms, all bound at ${n0(row.boundMs)} ms); control plane RSS ${n0(row.controlRssMB)} MB`,
      );
      if (row.sameNode)
        console.log(
          `    pod → proxy → pod (same node): ${n0(row.sameNode.perSecond)} req/s, p99 ${ms2(row.sameNode.p99Ms)} (${failed(row.sameNode)})`,
        );
      if (row.viaProxy && row.direct)
        console.log(
          `    ${row.podPath}: ${n0(row.viaProxy.perSecond)} req/s, p99 ${ms2(row.viaProxy.p99Ms)} (${failed(row.viaProxy)}); ` +
            `host → pod directly: ${n0(row.direct.perSecond)} req/s, p99 ${ms2(row.direct.p99Ms)} (${failed(row.direct)}); ` +
            `ratio ${(row.viaProxy.perSecond / row.direct.perSecond).toFixed(2)}x req/s, ${(row.viaProxy.p99Ms / row.direct.p99Ms).toFixed(1)}x p99`,
        );
    } catch (error) {
      console.log(`  ${count} agent process(es): no figures: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  console.log('');
  console.log(
    '| agent processes | pods Ready | pods/s | path | req/s | p99 | same-node proxy req/s | direct req/s | direct p99 | ratio to direct |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const ratio = r.viaProxy && r.direct ? `${(r.viaProxy.perSecond / r.direct.perSecond).toFixed(2)}x` : '–';
    console.log(
      `| ${r.agents} | ${n0(r.readyMs)} ms | ${n0((r.readyCount / r.readyMs) * 1000)} | ${r.podPath || 'not all pods Ready'} | ` +
        `${n0(r.viaProxy?.perSecond ?? Number.NaN)} | ${ms2(r.viaProxy?.p99Ms)} | ${n0(r.sameNode?.perSecond ?? Number.NaN)} | ` +
        `${n0(r.direct?.perSecond ?? Number.NaN)} | ${ms2(r.direct?.p99Ms)} | ${ratio} |`,
    );
  }
  // The same pods in one process: on a memory store, then on Redis (which separates Redis's cost from the processes').
  for (const [nodes, kind] of [
    [1, 'memory'],
    [3, 'memory'],
    [3, 'redis'],
  ] as const) {
    const redis = kind === 'redis' ? await startRedisServer() : undefined;
    const store = redis ? createRedisStore({ url: redis.url, lab: 'bench-in-process' }) : undefined;
    try {
      const lab = await inProcess(nodes, store);
      console.log(
        `  in-process lab (one process, ${kind} store, ${nodes} node(s)): ${lab.readyCount}/${pods} pods Ready in ${n0(lab.readyMs)} ms (${n0((lab.readyCount / lab.readyMs) * 1000)} pods/s)`,
      );
    } catch (error) {
      console.log(`  in-process lab: no figures: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      await store?.close();
      await redis?.stop();
    }
  }
}
