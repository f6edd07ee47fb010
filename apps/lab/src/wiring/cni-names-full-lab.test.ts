// A pod reaches a Service by its DNS name through its own HTTP proxy, as in a cluster: the node
// agent resolves the name as the pod's resolv.conf would (kubelet ClusterFirst: search
// <ns>.svc.cluster.local svc.cluster.local cluster.local, ndots:5) against the lab's Services,
// then kube-proxy's selection DNATs the ClusterIP to the Service's pod on the other node.
import type { Pod } from '@kemu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPodTrafficLab } from '../../test/pod-traffic-lab.js';
import { type PodResponse, type RunningPod, sendFromPod } from '../lab/client/pod-request.js';
import { readPodNetwork } from '../lab/runtime/pod-network-annotation.js';
import type { FullLab } from './full-lab.js';

let full: FullLab;
let client: RunningPod;

beforeAll(async () => {
  // Namespace shop: pod `web` on kemu-worker2 behind Service `web`; pod `client` on kemu-worker.
  full = await startPodTrafficLab();
  const pod = await full.lab.store.get<Pod>({ kind: 'Pod', namespace: 'shop', name: 'client' });
  const network = pod && readPodNetwork(pod);
  if (!pod?.status?.podIP || !network?.httpProxy) throw new Error('the client pod has no network');
  client = { pod, namespace: 'shop', name: 'client', podIP: pod.status.podIP, node: network.node, httpProxy: network.httpProxy };
}, 30_000);
afterAll(async () => {
  await full?.close();
});

/** A GET of `url` (its host a name) from the client pod's HTTP proxy. */
const get = (url: string): Promise<PodResponse> => sendFromPod(client, { url: new URL(url) });

/** The kemu/echo answer: which pod, in which namespace, on which node. */
const answeredBy = (r: PodResponse) => JSON.parse(r.body.toString()) as { pod: string; namespace: string; node: string };

describe('a pod dials a Service by name', () => {
  it('reaches the Service’s pod for http://web.shop/ through cluster DNS, the ClusterIP and the tunnel', async () => {
    // "DNS for Services and Pods": <service>.<namespace> resolves through the svc.cluster.local search domain.
    const r = await get('http://web.shop/hello');
    expect(r.status).toBe(200);
    expect(answeredBy(r)).toMatchObject({ pod: 'web', namespace: 'shop', node: 'kemu-worker2' });
    expect(r.hops[0]).toMatch(/^dns web\.shop -> 10\.96\.\d+\.\d+ \(web\.shop\.svc\.cluster\.local\)$/);
    expect(r.hops[1]).toMatch(/^service 10\.96\.\d+\.\d+:80 -> 10\.244\.\d+\.\d+:8080$/);
    expect(r.hops).toContain('tunnel kemu-worker -> kemu-worker2');
  });

  it('reaches it by its fully qualified name web.shop.svc.cluster.local', async () => {
    const r = await get('http://web.shop.svc.cluster.local/');
    expect(r.status).toBe(200);
    expect(answeredBy(r).pod).toBe('web');
  });

  it('reaches it by the short name web from a pod of the same namespace', async () => {
    const r = await get('http://web/');
    expect(r.status).toBe(200);
    expect(answeredBy(r).pod).toBe('web');
  });

  it('answers 502 with the names tried when no Service has the name (NXDOMAIN)', async () => {
    const r = await get('http://nope.shop/');
    expect(r.status).toBe(502);
    expect(r.refusal).toBe(
      'could not resolve host nope.shop from pod shop/client (NXDOMAIN; tried nope.shop.shop.svc.cluster.local, nope.shop.svc.cluster.local, nope.shop.cluster.local, nope.shop)',
    );
  });
});
