import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseManifestsOrThrow } from '@kemu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullLab, startFullLab } from '../src/wiring/full-lab.js';
import { runCli } from './run-cli.js';

// `kemu render iptables|ipvs --lab`: kube-proxy's rules for a node of a running lab, from the
// Services, EndpointSlices and Nodes its API serves (examples/rules, the issue 7 "rules" example).

const rules = fileURLToPath(new URL('../../../examples/rules/rules.yaml', import.meta.url));
let full: FullLab;
let server: string;

beforeAll(async () => {
  full = await startFullLab({
    objects: parseManifestsOrThrow(fs.readFileSync(rules, 'utf8')),
    api: { port: 0 },
    ingressPort: 0,
    dashboardPort: false,
  });
  await full.lab.ready();
  server = full.lab.apiURL ?? '';
});
afterAll(async () => {
  await full.close();
});

describe('kemu render --lab', () => {
  it('renders the live endpoints with ClientIP affinity as the recent match', async () => {
    const { code, stdout } = await runCli('render', 'iptables', '--lab', '--node', 'kemu-worker', '--server', server);
    expect(code).toBe(0);
    // pkg/proxy/iptables/proxier.go: affinity endpoints get `-m recent --rcheck --seconds <timeout> --reap`.
    expect(stdout).toMatch(
      /-A KUBE-SVC-\w+ -m comment --comment "default\/web:http -> 10\.244\.\d+\.\d+:8080" -m recent --name KUBE-SEP-\w+ --rcheck --seconds 10800 --reap/,
    );
    // Headless Services get no rules at all.
    expect(stdout).not.toContain('web-headless');
  });

  it('drops externalTrafficPolicy: Local traffic on a node without a local endpoint, and not on the other', async () => {
    // api runs only on kemu-worker2 (nodeSelector): kemu-worker has no local endpoint for it.
    const worker = await runCli('render', 'iptables', '--lab', '--node', 'kemu-worker', '--server', server);
    expect(worker.stdout).toContain('"default/api:http has no local endpoints"');
    const worker2 = await runCli('render', 'iptables', '--lab', '--node', 'kemu-worker2', '--server', server);
    expect(worker2.stdout).not.toContain('has no local endpoints');
    expect(worker2.stdout).toMatch(/-A KUBE-SVL-\w+ -m comment --comment "default\/api:http -> 10\.244\.2\.\d+:9090"/);
  });

  it('renders IPVS virtual servers with persistence for the affinity Service', async () => {
    const { code, stdout } = await runCli('render', 'ipvs', '--lab', '--node', 'kemu-worker', '--server', server);
    expect(code).toBe(0);
    expect(stdout).toMatch(/TCP {2}10\.\d+\.\d+\.\d+:80 rr persistent 10800/);
  });

  it('names the lab nodes when --node is not one of them', async () => {
    const { code, stderr } = await runCli('render', 'iptables', '--lab', '--node', 'kemu-control-plane', '--server', server);
    expect(code).toBe(1);
    expect(stderr).toContain('node "kemu-control-plane" is not in the lab');
    expect(stderr).toContain('its nodes: kemu-worker, kemu-worker2');
  });

  it('asks for -f or --lab, and not both', async () => {
    expect((await runCli('render', 'iptables', '--node', 'kemu-worker')).stderr).toContain('give manifests with -f, or --lab');
    const both = await runCli('render', 'iptables', '--lab', '-f', rules, '--node', 'kemu-worker', '--server', server);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('either -f FILES or --lab');
  });
});
