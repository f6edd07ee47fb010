// `kemu render iptables|nftables|ipvs` and `kemu route service` (issue 4, CLI section).
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../test/run-cli.js';

const fixture = fileURLToPath(new URL('../../../../packages/kube-proxy/test/fixtures/node-demo.yaml', import.meta.url));

const run = runCli;

afterEach(() => vi.restoreAllMocks());

describe('kemu render (kube-proxy)', () => {
  it('prints iptables-restore input with the upstream chain hash', async () => {
    const { code, stdout } = await run('render', 'iptables', '--node', 'node-1', '-f', fixture);
    expect(code).toBe(0);
    expect(stdout.startsWith('*filter\n')).toBe(true);
    expect(stdout).toContain(
      '-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ',
    );
  });

  it('prints the iptables-save form with --form save', async () => {
    const { stdout } = await run('render', 'iptables', '--node', 'node-1', '--form', 'save', '-f', fixture);
    expect(stdout).toContain('-d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80');
  });

  it('uses the Node object’s InternalIP for nftables nodeport-ips', async () => {
    const { stdout } = await run('render', 'nftables', '--node', 'node-1', '-f', fixture);
    expect(stdout).toContain('add element ip kube-proxy nodeport-ips { 192.168.0.2 }');
  });

  it('prints ipvsadm -Ln with the chosen scheduler', async () => {
    const { stdout } = await run('render', 'ipvs', '--node', 'node-1', '--scheduler', 'wlc', '-f', fixture);
    expect(stdout).toContain('TCP  10.96.0.10:80 wlc');
    expect(stdout).toContain('TCP  192.168.0.2:30080 wlc');
  });
});

describe('kemu route service', () => {
  it('prints the selection with its reasons as JSON', async () => {
    const { code, stdout } = await run(
      'route',
      'service',
      'default/web:http',
      '--from-node',
      'node-1',
      '--client-ip',
      '10.244.0.9',
      '-f',
      fixture,
    );
    expect(code).toBe(0);
    const data = JSON.parse(stdout);
    expect(data.verdict).toBe('DNAT');
    expect(data.chains[0]).toBe('KUBE-SERVICES');
    expect(data.reasons.map((r: { code: string }) => r.code)).toContain('iptables-probability');
  });

  it('exits 1 with a clear message for an unknown port', async () => {
    const { code, stderr } = await run('route', 'service', 'default/web:nope', '--from-node', 'node-1', '-f', fixture);
    expect(code).toBe(1);
    expect(stderr).toContain('KEMU_KUBE_PROXY_SERVICE_NOT_FOUND');
  });
});
