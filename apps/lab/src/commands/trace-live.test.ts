// `kemu trace --from pod/NAME URL` against a running lab: the models' hops (kube-proxy's endpoint
// choice, the CNI overlay and policy verdicts) beside the hops the node agents report for the
// same request really sent from the pod's network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPodTrafficLab } from '../../test/pod-traffic-lab.js';
import { runCli } from '../../test/run-cli.js';
import type { FullLab } from '../wiring/full-lab.js';

let full: FullLab;
const trace = (...args: string[]) => runCli('trace', ...args, '--server', full.lab.apiURL);

beforeAll(async () => {
  full = await startPodTrafficLab();
}, 30_000);
afterAll(async () => {
  await full?.close();
});

describe('kemu trace --from pod/NAME URL', () => {
  it('shows the model and the real request side by side for a Service across nodes', async () => {
    const r = await trace('--from', 'pod/client', '-n', 'shop', 'http://web.shop/');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^STEP\s+MODEL\s+REAL$/m);
    // Service row: kube-proxy's DNAT in the model, the agent's in reality, to the same endpoint.
    expect(r.stdout).toMatch(
      /^service\s+shop\/web: DNAT -> 10\.244\.\d+\.\d+:8080 \(pod web on kemu-worker2\)\s+service 10\.96\.\S+:80 -> 10\.244\.\d+\.\d+:8080$/m,
    );
    // Path: VXLAN between the nodes in the model, the HTTP/2 tunnel in reality.
    expect(r.stdout).toMatch(/VXLAN VNI 1: 127\.0\.0\.2 -> 127\.0\.0\.3:8472/);
    expect(r.stdout).toContain('tunnel kemu-worker -> kemu-worker2 (HTTP/2 CONNECT stream)');
    expect(r.stdout).toMatch(
      /^destination\s+pod shop\/web \(10\.244\.\d+\.\d+\) on kemu-worker2\s+HTTP 200 OK from pod shop\/web/m,
    );
    expect(r.stdout).toContain('model and real agree: delivered');
  });

  it('shows the NetworkPolicy denial in both columns', async () => {
    const r = await trace('--from', 'intruder', '-n', 'shop', 'http://web.shop/');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^ingress\s+DENIED on kemu-worker2: shop\/web is isolated for Ingress by shop\/web-ingress.*DENIED: shop\/web is isolated for Ingress/m,
    );
    expect(r.stdout).toContain('model and real agree: not delivered');
  });

  it('shows an egress denial on the egress row of both columns', async () => {
    const r = await trace('--from', 'locked', '-n', 'shop', 'http://web.shop/');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^egress\s+DENIED on kemu-worker: shop\/locked is isolated for Egress.*DENIED: shop\/locked is isolated for Egress/m,
    );
    expect(r.stdout).toContain('model and real agree: not delivered');
  });

  it('gives both accounts as JSON with -o json', async () => {
    const r = await trace('--from', 'pod/client', '-n', 'shop', 'http://web.shop/', '-o', 'json');
    const data = JSON.parse(r.stdout) as {
      resolved: { ip: string; name: string };
      model: { service: { verdict: string }; packet: { delivered: boolean } };
      real: { status: number; hops: string[]; answeredBy: { pod: string } };
    };
    expect(data.resolved.name).toBe('web.shop.svc.cluster.local');
    expect(data.model.service.verdict).toBe('DNAT');
    expect(data.model.packet.delivered).toBe(true);
    expect(data.real).toMatchObject({ status: 200, answeredBy: { pod: 'web' } });
    expect(data.real.hops[0]).toMatch(new RegExp(`^service ${data.resolved.ip.replaceAll('.', '\\.')}:80 -> `));
  });

  it('asks for -f and --to, or a URL, when given neither', async () => {
    const r = await trace('--from', 'shop/client');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('give -f FILES and --to');
  });
});
