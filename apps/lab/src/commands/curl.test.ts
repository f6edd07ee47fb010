// `kemu curl --from pod/NAME URL` against a running lab: the request leaves from the pod's own
// HTTP proxy on its node agent, so Services, the tunnel and NetworkPolicy apply as to the pod.
import type { Pod } from '@kemu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPodTrafficLab } from '../../test/pod-traffic-lab.js';
import { runCli } from '../../test/run-cli.js';
import type { FullLab } from '../wiring/full-lab.js';

let full: FullLab;
const curl = (...args: string[]) => runCli('curl', ...args, '--server', full.lab.apiURL);

beforeAll(async () => {
  full = await startPodTrafficLab();
}, 30_000);
afterAll(async () => {
  await full?.close();
});

describe('kemu curl --from', () => {
  it('reaches a Service by its SERVICE.NAMESPACE name through cluster DNS and the pod network', async () => {
    // A pod's resolv.conf searches <ns>.svc.cluster.local, svc.cluster.local, cluster.local (ClusterFirst).
    const r = await curl('--from', 'pod/client', '-n', 'shop', 'http://web.shop/hello?x=1', '-v');
    expect(r.stderr).toContain('resolved web.shop to 10.96.');
    expect(r.stderr).toContain('web.shop.svc.cluster.local');
    expect(r.stderr).toContain('hop: tunnel kemu-worker -> kemu-worker2');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { pod: string; node: string; path: string; query: string; host: string };
    expect(body).toMatchObject({ pod: 'web', node: 'kemu-worker2', path: '/hello', query: 'x=1', host: 'web.shop' });
  });

  it('reaches a pod IP on another node through the tunnel, without DNS', async () => {
    const web = await full.lab.store.get<Pod>({ kind: 'Pod', namespace: 'shop', name: 'web' });
    const r = await curl('--from', 'client', '-n', 'shop', `http://${web?.status?.podIP}:8080/direct`, '-v');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('resolved');
    expect(r.stderr).toContain('hop: tunnel kemu-worker -> kemu-worker2');
    expect(r.stderr).not.toContain('hop: service');
    expect(JSON.parse(r.stdout)).toMatchObject({ pod: 'web', path: '/direct' });
  });

  it('fails with the NetworkPolicy reason when the destination isolates its pod', async () => {
    // NetworkPolicy: web is isolated for Ingress and only app=client is allowed in.
    const r = await curl('--from', 'pod/intruder', '-n', 'shop', 'http://web.shop/');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('denied by NetworkPolicy (403 Forbidden)');
    expect(r.stderr).toContain('isolated for Ingress by shop/web-ingress');
  });

  it('fails with the reason when the source pod is isolated for Egress', async () => {
    // NetworkPolicy with policyTypes [Egress] and no rules: the source agent refuses every connection.
    const r = await curl('--from', 'pod/locked', '-n', 'shop', 'http://web.shop/');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('isolated for Egress by shop/locked-egress');
  });

  it('stays on the bridge between pods of one node', async () => {
    const intruder = await full.lab.store.get<Pod>({ kind: 'Pod', namespace: 'shop', name: 'intruder' });
    const r = await curl('--from', 'client', '-n', 'shop', `${intruder?.status?.podIP}:9000/`, '-v');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('hop: bridge');
    expect(JSON.parse(r.stdout)).toMatchObject({ pod: 'intruder', node: 'kemu-worker' });
  });

  it('sends the method, headers and body given, and prints the status line and headers with -i', async () => {
    const r = await curl('--from', 'client', '-n', 'shop', 'web.shop/submit', '-d', 'a=1', '-H', 'X-Test: yes', '-i');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.stdout).toContain('kemu-hops: ');
    const body = JSON.parse(r.stdout.slice(r.stdout.indexOf('\r\n\r\n') + 4)) as {
      method: string;
      headers: Record<string, string>;
    };
    expect(body.method).toBe('POST');
    expect(body.headers['x-test']).toBe('yes');
  });

  it('refuses a pod that does not run with a typed error', async () => {
    const r = await curl('--from', 'pod/nope', '-n', 'shop', 'http://web.shop/');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('KEMU_LAB_POD_NOT_RUNNING');
    expect(r.stderr).toContain('shop/nope (not found)');
  });

  it('says which names it tried when the cluster DNS does not answer', async () => {
    const r = await curl('--from', 'client', '-n', 'shop', 'http://nothing.here/');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('KEMU_LAB_UNRESOLVED_HOST');
    expect(r.stderr).toContain('nothing.here.shop.svc.cluster.local');
  });
});
