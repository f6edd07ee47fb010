// Pod egress to a ClusterIP in a running lab goes through kube-proxy's selection for the source
// pod's node: with sessionAffinity ClientIP the same backend pod answers every request.
import http from 'node:http';
import { type EndpointSlice, type Pod, parseManifestsOrThrow, type Service } from '@kemu/core';
import { afterEach, expect, it } from 'vitest';
import { eventually } from '../../test/helpers.js';
import { readPodNetwork } from '../lab/runtime/pod-network-annotation.js';
import { type FullLab, startFullLab } from './full-lab.js';

const backend = (name: string, node: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: web, node: ${node}}}
spec:
  nodeName: ${node}
  containers: [{name: web, image: kemu/echo, ports: [{name: http, containerPort: 8080}]}]
`;

const manifests = `
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  nodeName: kemu-worker
  containers: [{name: c, image: kemu/echo, ports: [{containerPort: 9000}]}]
---
${backend('web-1', 'kemu-worker')}
---
${backend('web-2', 'kemu-worker2')}
---
${backend('web-3', 'kemu-worker2')}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: far}
spec:
  selector: {node: kemu-worker2}
  internalTrafficPolicy: Local
  ports: [{name: http, port: 80, targetPort: http}]
`;

let full: FullLab | undefined;
afterEach(async () => {
  await full?.close();
  full = undefined;
});

/** A GET through an HTTP proxy (absolute-form request target, RFC 9112 §3.2.2). */
function getVia(proxy: string, url: string): Promise<{ status: number; body: string; reason?: string }> {
  const p = new URL(proxy);
  return new Promise((resolve, reject) => {
    http
      .get({ host: p.hostname, port: Number(p.port), path: url, headers: { host: new URL(url).host } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          const reason = res.headers['kemu-reason'];
          resolve({
            status: res.statusCode ?? 0,
            body,
            ...(typeof reason === 'string' ? { reason: decodeURIComponent(reason) } : {}),
          });
        });
      })
      .on('error', reject);
  });
}

/** Starts the lab; resolves with the client pod's HTTP proxy once the three backends are ready endpoints. */
async function startWithClient(): Promise<{ lab: FullLab; proxy: string }> {
  const lab = await startFullLab({
    nodes: 2,
    objects: parseManifestsOrThrow(manifests),
    api: false,
    dashboardPort: false,
    ingressPort: 0,
  });
  full = lab;
  const { store } = lab.lab;
  const proxy = await eventually(
    async () => {
      const pod = await store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'client' });
      return pod ? readPodNetwork(pod)?.httpProxy : undefined;
    },
    10_000,
    'the client pod’s network annotation',
  );
  await eventually(
    async () => {
      const slices = await store.list<EndpointSlice>('EndpointSlice', { namespace: 'default' });
      const ready = slices.items
        .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'web')
        .flatMap((s) => s.endpoints)
        .filter((e) => e.conditions?.ready !== false);
      return ready.length === 3;
    },
    10_000,
    'three ready endpoints of Service web',
  );
  return { lab, proxy };
}

/** The ClusterIP URL of a Service. */
async function serviceURL(lab: FullLab, name: string): Promise<string> {
  const service = await lab.lab.store.get<Service>({ kind: 'Service', namespace: 'default', name });
  return `http://${service?.spec.clusterIP}/who`;
}

it('keeps a client pod on one backend pod through its HTTP proxy with sessionAffinity ClientIP', async () => {
  // pkg/proxy/iptables/proxier.go: ClientIP affinity (`-m recent --rcheck --seconds 10800`) sends
  // every connection of one source IP to the endpoint it first got, on the source pod's node.
  const { lab, proxy } = await startWithClient();
  const url = await serviceURL(lab, 'web');
  const first = await eventually(async () => {
    const r = await getVia(proxy, url);
    return r.status === 200 ? r : undefined;
  });
  const answered: string[] = [(JSON.parse(first.body) as { pod: string }).pod];
  for (let i = 1; i < 5; i++) {
    const r = await getVia(proxy, url);
    expect(r.status).toBe(200);
    answered.push((JSON.parse(r.body) as { pod: string }).pod);
  }
  expect(answered[0]).toMatch(/^web-[123]$/);
  expect(answered).toEqual(Array(5).fill(answered[0]));
});

it('answers 503 "has no local endpoints" for an internalTrafficPolicy Local Service with none on the client’s node', async () => {
  // pkg/proxy/iptables/proxier.go: `"%s has no local endpoints"` -j DROP on the source node, whose
  // kube-proxy sees only the endpoints on kemu-worker2.
  const { lab, proxy } = await startWithClient();
  const url = await serviceURL(lab, 'far');
  const r = await eventually(async () => {
    const answer = await getVia(proxy, url);
    // Until the EndpointSlice controller has written far's slice, the Service has no endpoints at all.
    return answer.status === 503 && answer.reason?.includes('no local endpoints') ? answer : undefined;
  });
  expect(r.reason).toContain('service default/far:http has no local endpoints');
  expect(r.reason).toContain('kube-proxy on node kemu-worker:');
});
