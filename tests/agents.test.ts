import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { locateRedisServer, type RedisServer, startRedisServer } from '@kemu/core/testing';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';

// Issue 8, "Scale it": "An e2e test starts Redis, a control plane and three agent processes, runs
// traffic across them, kills one agent (its endpoints leave rotation; nothing else breaks),
// restarts Redis (agents reconnect, no allocation or attachment is lost or duplicated)."
// Every process is the built bin (`pnpm build` runs before `pnpm test`), as a user runs it.

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = `${root}apps/lab/dist/cli.js`;
const fixture = `${root}tests/fixtures/agents.yaml`;
const nodes = [
  { name: 'agent-1', advertise: '127.0.0.2', zone: 'zone-a' },
  { name: 'agent-2', advertise: '127.0.0.3', zone: 'zone-b' },
  { name: 'agent-3', advertise: '127.0.0.4', zone: 'zone-a' },
];
/** node-monitor-grace-period of the control plane: a killed agent's endpoints must be gone soon after. */
const graceMs = 1500;

interface PodView {
  metadata: { name: string; uid: string; annotations?: Record<string, string> };
  spec: { nodeName?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

/** A long-running kemu process and what it printed. */
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
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no ${pattern} from kemu ${this.child.spawnargs.slice(2, 3)}:\n${this.stdout}\n${this.stderr}`);
      await sleep(25);
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function request(url: string, options: http.RequestOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { ...options, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

const redisMissing = !locateRedisServer();
if (redisMissing && process.env.CI !== 'true') {
  test('a control plane and three agent processes over Redis', (context) => context.skip('redis-server is not installed'));
} else {
  describe('a control plane and three agent processes over Redis (e2e)', () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-agents-e2e-'));
    const lab = `e2e-${process.pid}`;
    let redis: RedisServer;
    const redisDir = path.join(scratch, 'redis');
    let store: string;
    let control: KemuProcess;
    const agents = new Map<string, KemuProcess>();
    let api = '';
    let ingress = '';

    const agentArgs = (node: (typeof nodes)[number]) => [
      'agent',
      ...['--store', store, '--lab', lab, '--node', node.name, '--advertise', node.advertise, '--zone', node.zone],
      ...['--heartbeat', '200', '--data-dir', path.join(scratch, 'data')],
    ];
    const startAgent = async (node: (typeof nodes)[number]) => {
      const agent = new KemuProcess(agentArgs(node));
      agents.set(node.name, agent);
      await agent.waitFor(new RegExp(`kemu agent ${node.name} up`));
    };
    const pods = async (): Promise<PodView[]> =>
      ((await (await fetch(`${api}/api/v1/namespaces/default/pods`)).json()) as { items: PodView[] }).items;
    const ready = (pod: PodView) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    const throughIngress = () => request(`${ingress}/`, { headers: { host: 'web.localtest.me' } });

    beforeAll(async () => {
      fs.mkdirSync(redisDir);
      redis = await startRedisServer({ dataDir: redisDir });
      store = redis.url;
      control = new KemuProcess([
        'up',
        ...['--store', store, '--lab', lab, '--no-agents', '--data-dir', path.join(scratch, 'data')],
        ...['--api-port', '0', '--ingress-port', '0', '--dashboard-port', '0', '--node-monitor-grace', String(graceMs)],
      ]);
      api = (await control.waitFor(/^API: (\S+)$/m))[1]!;
      ingress = (await control.waitFor(/^ingress: (\S+)$/m))[1]!;
      await Promise.all(nodes.map(startAgent));
      // Applied once every agent has joined, so the scheduler spreads the pods over all three.
      const apply = await promisify(execFile)(process.execPath, [bin, 'apply', '-f', fixture, '--server', api]);
      expect(apply.stdout).toMatch(/deployment.apps\/web created/);
      await until('7 ready pods', async () => {
        const all = await pods();
        return all.length === 7 && all.every(ready) ? all : undefined;
      });
    }, 60_000);

    afterAll(async () => {
      for (const agent of agents.values()) await agent.stop();
      await control?.stop();
      await redis?.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
    }, 60_000);

    it('spreads pods over the three agents, each node with its own pod CIDR', async () => {
      const all = await pods();
      expect(new Set(all.map((p) => p.spec.nodeName))).toEqual(new Set(nodes.map((n) => n.name)));
      const ips = all.map((p) => p.status!.podIP!);
      expect(new Set(ips).size).toBe(ips.length);
    });

    it('answers ingress requests from pods on every agent', async () => {
      const seen = await until('answers from all three agents', async () => {
        const nodesSeen = new Set<string>();
        for (let i = 0; i < 24; i++) {
          const answer = await throughIngress();
          if (answer.status !== 200) return undefined;
          nodesSeen.add((JSON.parse(answer.body) as { node: string }).node);
        }
        return nodesSeen.size === 3 ? nodesSeen : undefined;
      });
      expect([...seen].sort()).toEqual(nodes.map((n) => n.name));
    });

    it('carries a request from a pod on one agent to a pod on another through the overlay tunnel', async () => {
      const all = await pods();
      const from = all.find((p) => p.spec.nodeName === 'agent-1' && p.metadata.name.startsWith('web'))!;
      const to = all.find((p) => p.spec.nodeName === 'agent-2' && p.metadata.name.startsWith('web'))!;
      // The pod's own HTTP proxy (its agent's), as its HTTP_PROXY says: the request leaves from the pod's network.
      const proxy = new URL((JSON.parse(from.metadata.annotations!['kemu.dev/pod-network']!) as { httpProxy: string }).httpProxy);
      const target = `http://${to.status!.podIP}:8080/across`;
      const answer = await request(`http://${proxy.host}`, { path: target, headers: { host: `${to.status!.podIP}:8080` } });
      expect(answer.status, answer.body).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ pod: to.metadata.name, node: 'agent-2', path: '/across' });
    });

    it("takes a killed agent's endpoints out of rotation, keeps serving, and gives its pods their IPs back when it returns", async () => {
      const before = await pods();
      const onAgent3 = new Set(before.filter((p) => p.spec.nodeName === 'agent-3').map((p) => p.status!.podIP!));
      expect(onAgent3.size).toBeGreaterThan(0);
      await agents.get('agent-3')!.stop('SIGKILL');
      const killedAt = Date.now();
      // The node lifecycle controller marks the silent node's pods not ready after the grace period,
      // and the EndpointSlice controller takes them out (pkg/controller/nodelifecycle, MarkPodsNotReady).
      await until(
        "agent-3's endpoints to turn not ready",
        async () => {
          const slices = (await (await fetch(`${api}/apis/discovery.k8s.io/v1/namespaces/default/endpointslices`)).json()) as {
            items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[];
          };
          const endpoints = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => onAgent3.has(e.addresses[0]!));
          return endpoints.length > 0 && endpoints.every((e) => e.conditions?.ready === false) ? true : undefined;
        },
        graceMs + 10_000,
      );
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(graceMs - 1000);
      // Out of rotation: 20 requests in a row succeed and none is answered by agent-3.
      await until(
        'the ingress to stop using agent-3',
        async () => {
          for (let i = 0; i < 20; i++) {
            const answer = await throughIngress();
            if (answer.status !== 200 || (JSON.parse(answer.body) as { node: string }).node === 'agent-3') return undefined;
          }
          return true;
        },
        graceMs + 15_000,
      );
      expect(Date.now() - killedAt).toBeLessThan(graceMs + 15_000);
      await startAgent(nodes[2]!);
      const after = await until('every pod ready again', async () => {
        const all = await pods();
        return all.length === 7 && all.every(ready) ? all : undefined;
      });
      // Same pods, same IPs: the returning agent's IPAM gives each pod the address it already holds.
      const ipOf = (list: PodView[]) => Object.fromEntries(list.map((p) => [p.metadata.uid, p.status?.podIP]));
      expect(ipOf(after)).toEqual(ipOf(before));
      const ips = after.map((p) => p.status!.podIP!);
      expect(new Set(ips).size).toBe(ips.length);
    }, 60_000);

    it('keeps every allocation and attachment across a Redis restart, agents reconnecting', async () => {
      const attachmentsOf = async () =>
        (
          (await (await fetch(`${api}/apis/storage.k8s.io/v1/volumeattachments`)).json()) as {
            items: { spec: { nodeName: string }; status?: { attached?: boolean } }[];
          }
        ).items;
      const before = { pods: await pods(), attachments: await attachmentsOf() };
      expect(before.attachments).toHaveLength(1);
      expect(before.attachments[0]!.status?.attached).toBe(true);
      const port = redis.port;
      await redis.stop();
      await sleep(500);
      redis = await startRedisServer({ port, dataDir: redisDir });
      // Reconnected: the API answers from Redis again and requests flow through all agents.
      await until('the lab to answer again', async () => ((await throughIngress()).status === 200 ? true : undefined), 30_000);
      const after = await until(
        'every pod ready after the restart',
        async () => {
          const all = await pods();
          return all.length === 7 && all.every(ready) ? all : undefined;
        },
        30_000,
      );
      const ipOf = (list: PodView[]) => Object.fromEntries(list.map((p) => [p.metadata.uid, p.status?.podIP]));
      expect(ipOf(after)).toEqual(ipOf(before.pods));
      // Every agent heartbeats again: its Lease is renewed after the restart.
      const restartedAt = Date.now();
      for (const node of nodes) {
        await until(`${node.name} to renew its Lease`, async () => {
          const lease = (await (
            await fetch(`${api}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node.name}`)
          ).json()) as { spec: { renewTime: string } };
          return Date.parse(lease.spec.renewTime) > restartedAt - 100 ? true : undefined;
        });
      }
      // No claim was lost: a new pod on agent-1 gets an address nobody holds.
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'late' },
        spec: { nodeName: 'agent-1', containers: [{ name: 'c', image: 'kemu/echo', ports: [{ containerPort: 8080 }] }] },
      };
      const created = await fetch(`${api}/api/v1/namespaces/default/pods`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pod),
      });
      expect(created.status, await created.clone().text()).toBe(201);
      const late = await until('the new pod to get an IP', async () =>
        (await pods()).find((p) => p.metadata.name === 'late' && p.status?.podIP),
      );
      expect(after.map((p) => p.status!.podIP)).not.toContain(late.status!.podIP);
      const attachments = await attachmentsOf();
      expect(attachments).toHaveLength(1);
      expect(attachments[0]!.spec.nodeName).toBe(before.attachments[0]!.spec.nodeName);
      expect(attachments[0]!.status?.attached).toBe(true);
    }, 60_000);
  });
}
