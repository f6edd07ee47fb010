// `kemu cni routes`, `kemu policy check` and `kemu trace` (issue 3, "Done when").
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../test/run-cli.js';

const fixture = fileURLToPath(new URL('../../../../packages/cni/test/fixtures/shop.yaml', import.meta.url));

const run = runCli;

afterEach(() => vi.restoreAllMocks());

describe('kemu cni routes', () => {
  it('prints ip route / ip neigh / bridge fdb lines for a node', async () => {
    const { code, stdout } = await run('cni', 'routes', '--node', 'node-1', '-f', fixture);
    expect(code).toBe(0);
    expect(stdout).toContain('10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink');
    expect(stdout).toContain('10.244.1.0 dev flannel.1 lladdr 0e:2a:7f:00:00:03 PERMANENT');
    expect(stdout).toContain('0e:2a:7f:00:00:03 dev flannel.1 dst 127.0.0.3 self permanent');
  });

  it('fails with exit 1 for an unknown node', async () => {
    const { code, stderr } = await run('cni', 'routes', '--node', 'nope', '-f', fixture);
    expect(code).toBe(1);
    expect(stderr).toContain('KEMU_CNI_UNKNOWN_NODE');
  });
});

describe('kemu policy check', () => {
  it('exits 0 with the rule that allowed it', async () => {
    const { code, stdout } = await run(
      'policy',
      'check',
      '-f',
      fixture,
      '--from',
      'shop/api',
      '--to',
      'shop/db',
      '--port',
      '5432/TCP',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      allowed: true,
      ingress: { allowedBy: { policy: 'shop/db-from-api', rule: 0, peer: 0, port: 0 } },
    });
  });

  it('exits 3 when denied and explains which policy isolates the pod', async () => {
    const { code, stdout } = await run(
      'policy',
      'check',
      '-f',
      fixture,
      '--from',
      'shop/web',
      '--to',
      '10.244.1.50',
      '--port',
      '5432',
    );
    expect(code).toBe(3);
    const v = JSON.parse(stdout);
    expect(v.to).toEqual({ pod: 'shop/db', ip: '10.244.1.50' });
    expect(v.reason).toContain('isolated for Ingress by shop/db-from-api');
  });
});

describe('kemu trace', () => {
  it('lists the model hops pod to pod as JSON', async () => {
    const { code, stdout } = await run('trace', '--from', 'shop/web', '--to', 'shop/api', '--port', '8080', '-f', fixture);
    expect(code).toBe(0);
    const t = JSON.parse(stdout);
    expect(t.delivered).toBe(true);
    expect(t.hops.map((h: { kind: string }) => h.kind)).toContain('encapsulation');
  });
});
