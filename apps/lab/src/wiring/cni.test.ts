// Real sockets on loopback: a lab whose pod network is @kemu/cni (agents on 127.0.0.2, 127.0.0.3).
import http from 'node:http';
import { createMemoryStore, MemoryBackend, type Node, type Pod, type Service, type Store } from '@kemu/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { PodNetwork } from '../lab/hooks.js';
import { Lab } from '../lab/lab.js';
import { createPodNetwork } from './cni.js';

const pods = (nodes: string[]) => `
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: ${nodes[0]}
  containers: [{name: web, image: kemu/echo, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: db, labels: {app: db}}
spec:
  nodeName: ${nodes[1]}
  containers: [{name: db, image: kemu/echo, ports: [{name: pg, containerPort: 5432}, {name: dns, containerPort: 5353, protocol: UDP}]}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
  ports: [{port: 80, targetPort: pg}]
`;

const denyWebToDb = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-api-only}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]
`;

/** A GET through an HTTP proxy (absolute-form request target, RFC 9112 §3.2.2). */
function getVia(proxy: string, url: string): Promise<{ status: number; body: string; reason?: string }> {
  const p = new URL(proxy);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: p.hostname, port: Number(p.port), path: url, headers: { host: new URL(url).host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const reason = res.headers['kemu-reason'];
        resolve({
          status: res.statusCode ?? 0,
          body,
          ...(typeof reason === 'string' ? { reason: decodeURIComponent(reason) } : {}),
        });
      });
    });
    req.on('error', reject);
  });
}

/** Retries `get` until `done` holds (informers deliver asynchronously), up to 5 s. */
async function until<T>(get: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await get();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the pod network in a lab (@kemu/cni IPAM and node agents)', () => {
  let lab: Lab | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await lab?.close();
    await store?.close();
    lab = undefined;
    store = undefined;
  });

  async function start() {
    // A store of its own (the default memory backend is shared by every lab of the process).
    const own = createMemoryStore({ backend: new MemoryBackend() });
    store = own;
    const cni = createPodNetwork({ store: own });
    // Keep the env each pod was given, as its containers see it.
    const env = new Map<string, Record<string, string>>();
    const network = (node: string): PodNetwork => {
      const inner = cni.network(node);
      return {
        async attach(pod, ip, ports) {
          const attachment = await inner.attach(pod, ip, ports);
          env.set(pod.metadata.name, attachment.env ?? {});
          return attachment;
        },
        detach: (pod) => inner.detach(pod),
      };
    };
    lab = new Lab({ store: own, nodes: 2, api: false, allocator: cni.allocator, network, addons: [cni.addon] });
    const nodes = lab.nodes;
    await lab.start();
    await lab.apply(pods(nodes));
    // The informers see the new pods asynchronously: wait until both are attached, then ready.
    await until(
      async () => env.size,
      (n) => n === 2,
    );
    await lab.ready();
    const pod = async (name: string) => (await own.get<Pod>({ kind: 'Pod', namespace: 'default', name }))!;
    return { lab, store: own, nodes, env, pod, cni };
  }

  it('gives pods IPs from their node podCIDR through cni IPAM claims', async () => {
    // host-local hands out the first address after the gateway (.1): allocator.go / range.go.
    const { pod, store, nodes } = await start();
    const web = await pod('web');
    const db = await pod('db');
    const cidr = async (name: string) => (await store.get<Node>({ kind: 'Node', name }))!.spec!.podCIDR!.replace(/0\/24$/, '2');
    expect(web.status?.podIP).toBe(await cidr(nodes[0]!));
    expect(db.status?.podIP).toBe(await cidr(nodes[1]!));
    const claims = await store.claims('cni/ipam/');
    expect([...claims.keys()].some((k) => k.endsWith(`ip/${web.status?.podIP}`))).toBe(true);
  });

  it('carries a request through pod A proxy across the tunnel to pod B on another node', async () => {
    const { env, pod } = await start();
    const db = await pod('db');
    const proxy = env.get('web')!.HTTP_PROXY!;
    expect(proxy).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    const answer = await getVia(proxy, `http://${db.status?.podIP}:5432/hello`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ pod: 'db', podIP: db.status?.podIP, path: '/hello' });
  });

  it('enforces a NetworkPolicy denying web to db with 403 and the reason; deleting it restores traffic', async () => {
    // NetworkPolicy ingress isolation: https://kubernetes.io/docs/concepts/services-networking/network-policies/
    const { env, pod, lab: l } = await start();
    const url = `http://${(await pod('db')).status?.podIP}:5432/`;
    const proxy = env.get('web')!.HTTP_PROXY!;
    await l.apply(denyWebToDb);
    const denied = await until(
      () => getVia(proxy, url),
      (a) => a.status === 403,
    );
    expect(denied.status).toBe(403);
    expect(denied.reason).toContain('db-from-api-only');
    await l.delete(denyWebToDb);
    const restored = await until(
      () => getVia(proxy, url),
      (a) => a.status === 200,
    );
    expect(restored.status).toBe(200);
  });

  it('resolves a Service ClusterIP dialled through the pod proxy to a ready endpoint', async () => {
    // kube-proxy DNATs ClusterIP:port to an endpoint's IP:targetPort (EndpointSlice ports).
    const { env, store } = await start();
    const svc = (await store.get<Service>({ kind: 'Service', namespace: 'default', name: 'db' }))!;
    const proxy = env.get('web')!.HTTP_PROXY!;
    const answer = await until(
      () => getVia(proxy, `http://${svc.spec.clusterIP}:80/svc`),
      (a) => a.status === 200,
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ pod: 'db', path: '/svc' });
  });

  it('carries a UDP datagram between pods on two nodes as a VXLAN frame', async () => {
    // RFC 7348: the sender's agent encapsulates, the receiver's decapsulates and delivers.
    const { pod, nodes, cni } = await start();
    const web = (await pod('web')).status!.podIP!;
    const db = (await pod('db')).status!.podIP!;
    const from = await cni.agent(nodes[0]!);
    const to = await cni.agent(nodes[1]!);
    const payload = new TextEncoder().encode('ping over the overlay');
    expect(from.sendDatagram(web, 40000, db, 5353, payload)).toEqual({ ok: true });
    const received = await until(
      async () => to.counters.pair(web, db).bytesReceived,
      (n) => n === payload.length,
    );
    expect(received).toBe(payload.length);
    expect(from.counters.pair(web, db).datagrams).toBe(1);
  });
});
