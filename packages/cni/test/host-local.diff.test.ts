// Differential test: the same configs and ADD/DEL/CHECK sequences through the real host-local
// (Debian containernetworking-plugins) and through kemu-cni in host-local mode; IPs, error codes
// and messages, and the dataDir files must be identical (reference §2).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlugin } from '../src/plugin/run.js';

const candidates = ['/usr/lib/cni/host-local', '/opt/cni/bin/host-local', '/usr/libexec/cni/host-local'];
const hostLocal = candidates.find((p) => existsSync(p));
if (!hostLocal && process.env.CI === 'true')
  throw new Error('host-local is required in CI (apt-get install containernetworking-plugins)');
// Outside CI a missing binary skips the suite with this reason.
if (!hostLocal) console.warn('skipping the host-local differential: no host-local binary in', candidates.join(', '));

interface Step {
  cmd: 'ADD' | 'DEL' | 'CHECK' | 'VERSION';
  id?: string;
  ifname?: string;
  args?: string;
  /** Environment variables to drop. */
  unset?: string[];
  /** Replaces the network config for this step. */
  config?: Record<string, unknown>;
}

interface Outcome {
  exitCode: number;
  /** stdout byte for byte (4-space indented JSON, as Go's MarshalIndent prints it). */
  raw: string;
  output: unknown;
  files: Record<string, string>;
}

const root = mkdtempSync(join(tmpdir(), 'kemu-cni-diff-'));
const resolvConf = join(root, 'resolv.conf');
writeFileSync(
  resolvConf,
  '# test\nnameserver 10.96.0.10\nnameserver 1.1.1.1\ndomain cluster.local\nsearch default.svc.cluster.local svc.cluster.local\noptions ndots:5 edns0\n',
);
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

function envFor(step: Step): Record<string, string> {
  const env: Record<string, string> = {
    CNI_COMMAND: step.cmd,
    CNI_CONTAINERID: step.id ?? 'c1',
    CNI_IFNAME: step.ifname ?? 'eth0',
    CNI_NETNS: '/var/run/netns/dummy',
    CNI_PATH: '/opt/cni/bin',
  };
  if (step.args) env.CNI_ARGS = step.args;
  for (const k of step.unset ?? []) delete env[k];
  return env;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const net of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, net))) out[`${net}/${f}`] = readFileSync(join(dir, net, f), 'utf8');
  }
  return out;
}

function parse(stdout: string): unknown {
  if (stdout.trim() === '') return null;
  const v = JSON.parse(stdout) as Record<string, unknown>;
  // Go's and V8's JSON error texts differ; the code is what must match for decoding failures.
  if (v.code === 6) return { code: 6 };
  return v;
}

async function runBoth(config: Record<string, unknown>, steps: Step[]): Promise<[Outcome[], Outcome[]]> {
  const n = counter++;
  const dirs = [join(root, `hl-${n}`), join(root, `kemu-${n}`)];
  const results: [Outcome[], Outcome[]] = [[], []];
  for (const step of steps) {
    for (const side of [0, 1] as const) {
      const conf = step.config ?? config;
      const ipam = conf.ipam as Record<string, unknown> | undefined;
      const stdin = JSON.stringify(ipam ? { ...conf, ipam: { ...ipam, dataDir: dirs[side] } } : conf);
      let exitCode: number;
      let stdout: string;
      if (side === 0) {
        const r = spawnSync(hostLocal!, [], { input: stdin, env: envFor(step), encoding: 'utf8' });
        exitCode = r.status ?? -1;
        stdout = r.stdout;
      } else {
        const r = await runPlugin({ env: envFor(step), stdin, mode: 'host-local' });
        exitCode = r.exitCode;
        stdout = r.stdout;
      }
      const output = parse(stdout);
      const raw = (output as { code?: number } | null)?.code === 6 ? '' : stdout;
      results[side].push({ exitCode, raw, output, files: snapshot(dirs[side]!) });
    }
  }
  return results;
}

const net = (ipam: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  cniVersion: '1.0.0',
  name: 'lab',
  type: 'bridge',
  ...extra,
  ipam: { type: 'host-local', ...ipam },
});
const r24 = { ranges: [[{ subnet: '10.1.0.0/24' }]] };

const scenarios: [string, Record<string, unknown>, Step[]][] = [
  [
    'round robin after DEL',
    net(r24),
    [
      { cmd: 'ADD', id: 'a' },
      { cmd: 'ADD', id: 'b' },
      { cmd: 'DEL', id: 'a' },
      { cmd: 'ADD', id: 'c' },
      { cmd: 'ADD', id: 'a' },
    ],
  ],
  [
    'dual-stack with routes',
    net({ routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }], ranges: [[{ subnet: '10.1.0.0/24' }], [{ subnet: 'fd00:10::/64' }]] }),
    [
      { cmd: 'ADD', id: 'a' },
      { cmd: 'ADD', id: 'b' },
      { cmd: 'DEL', id: 'a' },
    ],
  ],
  [
    'gateway .254 and .2',
    net({ ranges: [[{ subnet: '10.1.0.0/24', gateway: '10.1.0.254' }], [{ subnet: '10.2.0.0/24', gateway: '10.2.0.2' }]] }),
    [
      { cmd: 'ADD', id: 'a' },
      { cmd: 'ADD', id: 'b' },
    ],
  ],
  [
    'rangeStart/rangeEnd exhaustion',
    net({ ranges: [[{ subnet: '10.1.0.0/24', rangeStart: '10.1.0.100', rangeEnd: '10.1.0.102' }]] }),
    ['a', 'b', 'c', 'd'].map((id) => ({ cmd: 'ADD' as const, id })),
  ],
  [
    'full /29 wraps to the freed address',
    net({ ranges: [[{ subnet: '10.1.0.0/29' }]] }),
    [
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ cmd: 'ADD' as const, id })),
      { cmd: 'DEL', id: 'c' },
      { cmd: 'ADD', id: 'g' },
    ],
  ],
  [
    'two ranges in one set',
    net({ ranges: [[{ subnet: '10.1.0.0/30' }, { subnet: '10.1.0.4/30' }]] }),
    ['a', 'b', 'c'].map((id) => ({ cmd: 'ADD' as const, id })),
  ],
  [
    'dual-stack failure releases the IPv4 address',
    net({ ranges: [[{ subnet: '10.1.0.0/24' }], [{ subnet: 'fd00::/126' }]] }),
    ['a', 'b', 'c', 'd'].map((id) => ({ cmd: 'ADD' as const, id })),
  ],
  ['resolvConf fills dns', net({ ...r24, resolvConf }), [{ cmd: 'ADD' }]],
  [
    'IPv6 /126 pool',
    net({ ranges: [[{ subnet: 'fd00::/126' }]] }),
    ['a', 'b', 'c', 'd'].map((id) => ({ cmd: 'ADD' as const, id })),
  ],
  [
    'duplicate attachment, other ifname',
    net(r24),
    [
      { cmd: 'ADD' },
      { cmd: 'ADD' },
      { cmd: 'ADD', ifname: 'eth1' },
      { cmd: 'DEL', ifname: 'eth9' },
      { cmd: 'DEL' },
      { cmd: 'DEL' },
      { cmd: 'DEL', id: 'nobody' },
    ],
  ],
  // One requested IP per range set: with two, host-local picks one by Go map order (random).
  [
    'args.cni.ips',
    net(r24, { args: { cni: { ips: ['10.1.0.77'] } } }),
    [
      { cmd: 'ADD', id: 'a' },
      { cmd: 'ADD', id: 'b' },
    ],
  ],
  [
    'requested IPs',
    net(r24),
    [
      { cmd: 'ADD', id: 'a' },
      { cmd: 'ADD', id: 'b', args: 'IP=10.1.0.50' },
      { cmd: 'ADD', id: 'c', args: 'IP=10.1.0.50' },
      { cmd: 'ADD', id: 'd', args: 'IP=10.1.0.1' },
    ],
  ],
  [
    'requested IP outside every range',
    net(r24),
    [
      { cmd: 'ADD', id: 'a', args: 'IP=10.9.0.5' },
      { cmd: 'ADD', id: 'b' },
    ],
  ],
  ['runtimeConfig ips', net(r24, { runtimeConfig: { ips: ['10.1.0.88/24'] } }), [{ cmd: 'ADD', id: 'a' }]],
  [
    'CNI_ARGS handling',
    net(r24),
    [
      { cmd: 'ADD', id: 'a', args: 'FOO=1' },
      { cmd: 'ADD', id: 'b', args: 'K8S_POD_NAME=x;IgnoreUnknown=1' },
      { cmd: 'ADD', id: 'c', args: 'IP=zz' },
      { cmd: 'ADD', id: 'd', args: 'novalue' },
    ],
  ],
  ['legacy top-level subnet', net({ subnet: '10.3.0.0/24', ranges: [[{ subnet: '10.1.0.0/24' }]] }), [{ cmd: 'ADD' }]],
  [
    'config errors',
    net(r24),
    [
      { cmd: 'ADD', config: net({ ranges: [[{ subnet: '10.1.0.0/31' }]] }) },
      { cmd: 'ADD', config: net({ ranges: [[{ subnet: '10.1.0.5/24' }]] }) },
      { cmd: 'ADD', config: net({ ranges: [[{ subnet: '10.1.0.0/24', rangeStart: '10.2.0.10' }]] }) },
      { cmd: 'ADD', config: net({ ranges: [[{ subnet: '10.1.0.0/24', rangeStart: '10.1.0.10', rangeEnd: '10.1.0.5' }]] }) },
      { cmd: 'ADD', config: net({ ranges: [] }) },
      { cmd: 'ADD', config: net({ ranges: [[]] }) },
      { cmd: 'ADD', config: net({ ranges: [[{ subnet: '10.1.0.0/24' }], [{ subnet: '10.1.0.128/25' }]] }) },
      { cmd: 'ADD', config: net({ ranges: [[{ subnet: '10.1.0.0/24' }, { subnet: '10.1.0.0/25' }]] }) },
      { cmd: 'ADD', config: net({ ranges: [[{ subnet: '10.1.0.0/24' }, { subnet: 'fd00::/64' }]] }) },
      { cmd: 'ADD', config: { cniVersion: '1.0.0', name: 'lab', type: 'host-local', ranges: [[{ subnet: '10.1.0.0/24' }]] } },
      { cmd: 'ADD', config: { cniVersion: '1.0.0', type: 'bridge', ipam: { ranges: [[{ subnet: '10.1.0.0/24' }]] } } },
      { cmd: 'ADD', config: { ...net(r24), cniVersion: '1.1.0' } },
      {
        cmd: 'ADD',
        config: {
          ...net(r24),
          cniVersion: '0.2.0',
          ipam: { ranges: [[{ subnet: '10.1.0.0/24' }], [{ subnet: '10.2.0.0/24' }]] },
        },
      },
    ],
  ],
  [
    'older result versions',
    net(r24),
    [
      {
        cmd: 'ADD',
        id: 'a',
        config: { ...net({ ...r24, routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.9' }] }), cniVersion: '0.4.0' },
      },
      {
        cmd: 'ADD',
        id: 'b',
        config: { ...net({ ...r24, routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.9' }] }), cniVersion: '0.3.1' },
      },
      {
        cmd: 'ADD',
        id: 'c',
        config: { ...net({ ...r24, routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.9' }] }), cniVersion: '0.2.0' },
      },
      { cmd: 'ADD', id: 'd', config: { name: 'lab', ipam: r24 } },
    ],
  ],
  [
    'CHECK',
    net(r24),
    [
      { cmd: 'ADD', id: 'a' },
      { cmd: 'CHECK', id: 'a' },
      { cmd: 'CHECK', id: 'b' },
      { cmd: 'CHECK', id: 'a', config: { ...net(r24), cniVersion: '0.3.1' } },
    ],
  ],
  [
    'environment',
    net(r24),
    [
      { cmd: 'ADD', unset: ['CNI_NETNS', 'CNI_PATH'] },
      { cmd: 'DEL', unset: ['CNI_NETNS'] },
      { cmd: 'ADD', id: '-bad' },
      { cmd: 'ADD', ifname: 'eth0123456789abcdef' },
      { cmd: 'VERSION' },
    ],
  ],
];

describe.runIf(hostLocal)('kemu-cni behaves as host-local 1.1.1', () => {
  for (const [name, config, steps] of scenarios) {
    it(`matches host-local: ${name}`, async () => {
      const [real, kemu] = await runBoth(config, steps);
      expect(real.length).toBe(steps.length);
      for (let i = 0; i < steps.length; i++) {
        if (process.env.KEMU_DIFF_DEBUG) console.log(JSON.stringify(real[i]));
        expect({ step: i, ...kemu[i] }).toEqual({ step: i, ...real[i] });
      }
    });
  }

  it('matches bad JSON on stdin by code (6)', async () => {
    const r = spawnSync(hostLocal!, [], { input: '{nope', env: envFor({ cmd: 'ADD' }), encoding: 'utf8' });
    const k = await runPlugin({ env: envFor({ cmd: 'ADD' }), stdin: '{nope', mode: 'host-local' });
    expect([k.exitCode, parse(k.stdout)]).toEqual([r.status, parse(r.stdout)]);
  });
});
