import http from 'node:http';
import { type Deployment, type EndpointSlice, type Pod, type ReplicaSet, serviceNameLabel } from '@kemu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../src/lab/index.js';
import { eventually } from './helpers.js';

// The lab end to end: Deployment → ReplicaSet → pods on three nodes → EndpointSlices → real sockets.

const graceMs = 600;
let lab: Lab;

const manifests = (replicas: number, version: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web }, annotations: { version: "${version}" } }
    spec:
      terminationGracePeriodSeconds: 3
      containers:
      - name: echo
        image: kemu/echo
        ports: [ { name: http, containerPort: 8080 } ]
        lifecycle: { preStop: { sleep: { seconds: 1 } } }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [ { name: http, port: 80, targetPort: http } ]
`;

beforeAll(async () => {
  lab = new Lab({ nodes: 3, heartbeatMs: 100, nodeMonitorGraceMs: graceMs });
  await lab.start();
});

afterAll(async () => {
  await lab.close();
});

async function slices(): Promise<EndpointSlice[]> {
  return (
    await lab.store.list<EndpointSlice>('EndpointSlice', { namespace: 'default', labelSelector: `${serviceNameLabel}=web` })
  ).items;
}

async function readyEndpoints() {
  return (await slices()).flatMap((s) =>
    s.endpoints.filter((e) => e.conditions?.ready).map((e) => ({ ...e, port: s.ports?.[0]?.port ?? 0 })),
  );
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

describe('a lab running a Deployment behind a Service', () => {
  it('runs the replicas, lists them in EndpointSlices and answers on their real ports', async () => {
    await lab.apply(manifests(3, 'v1'));
    const endpoints = await eventually(
      async () => {
        const ready = await readyEndpoints();
        return ready.length === 3 ? ready : undefined;
      },
      5000,
      '3 ready endpoints',
    );
    // Spread evenly over the three nodes, least loaded first.
    expect(new Set(endpoints.map((e) => e.nodeName)).size).toBe(3);
    expect(endpoints.every((e) => e.port === 8080 && e.zone)).toBe(true);
    const [slice] = await slices();
    expect(slice!.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice!.metadata.labels).toMatchObject({ 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slice!.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    for (const endpoint of endpoints) {
      const binding = lab.pods.resolve(endpoint.addresses[0]!, endpoint.port)!;
      const response = await get(binding.port, '/hi');
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({
        pod: endpoint.targetRef?.name,
        podIP: endpoint.addresses[0],
        node: endpoint.nodeName,
        path: '/hi',
      });
    }
    const pods = (await lab.store.list<Pod>('Pod', { namespace: 'default' })).items;
    const rs = (await lab.store.list<ReplicaSet>('ReplicaSet', { namespace: 'default' })).items[0]!;
    expect(rs.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    for (const pod of pods) expect(pod.metadata.name).toMatch(new RegExp(`^${rs.metadata.name}-[a-z0-9]{5}$`));
  });

  it('scales to 5 replicas', async () => {
    await lab.apply(manifests(5, 'v1'));
    await eventually(async () => (await readyEndpoints()).length === 5, 5000, '5 ready endpoints');
  });

  // Rolling update within maxSurge/maxUnavailable, with preStop keeping old pods serving until they left the slices.
  it('rolls out a new template with zero failed requests to ready endpoints', async () => {
    let failures = 0;
    let requests = 0;
    let done = false;
    const client = (async () => {
      let turn = 0;
      while (!done) {
        const ready = await readyEndpoints();
        const endpoint = ready[turn++ % Math.max(ready.length, 1)];
        if (!endpoint) continue;
        const binding = lab.pods.resolve(endpoint.addresses[0]!, endpoint.port);
        requests++;
        try {
          if (!binding) throw new Error(`no binding for ${endpoint.addresses[0]}`);
          const response = await get(binding.port, '/rollout');
          if (response.status !== 200) failures++;
        } catch {
          failures++;
        }
      }
    })();
    await lab.apply(manifests(5, 'v2'));
    await eventually(
      async () => {
        const deployment = await lab.store.get<Deployment>({ kind: 'Deployment', namespace: 'default', name: 'web' });
        const pods = (await lab.store.list<Pod>('Pod', { namespace: 'default' })).items;
        return (
          deployment?.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2' &&
          deployment.status?.updatedReplicas === 5 &&
          deployment.status.availableReplicas === 5 &&
          pods.length === 5
        );
      },
      10_000,
      'rollout to finish',
    );
    done = true;
    await client;
    const done2 = await eventually(async () => {
      const d = await lab.store.get<Deployment>({ kind: 'Deployment', namespace: 'default', name: 'web' });
      const progressing = (d?.status as { conditions?: { type: string; reason: string }[] } | undefined)?.conditions?.find(
        (c) => c.type === 'Progressing',
      );
      return progressing?.reason === 'NewReplicaSetAvailable' ? progressing : undefined;
    });
    expect(done2.reason).toBe('NewReplicaSetAvailable');
    expect(requests).toBeGreaterThan(20);
    expect(failures).toBe(0);
    const sets = (await lab.store.list<ReplicaSet>('ReplicaSet', { namespace: 'default' })).items;
    expect(sets.map((s) => [s.metadata.annotations?.['deployment.kubernetes.io/revision'], s.spec.replicas]).sort()).toEqual([
      ['1', 0],
      ['2', 5],
    ]);
  });

  // Node lifecycle: a silent node's pods turn not ready within the grace period, so their endpoints leave rotation.
  it('takes the endpoints of a node that stops heartbeating out of rotation', async () => {
    const victim = 'kemu-worker2';
    // Wait for the rollout's terminating endpoints to leave the slices.
    await eventually(async () => (await slices()).flatMap((s) => s.endpoints).length === 5, 5000, 'slices to settle');
    const before = (await readyEndpoints()).filter((e) => e.nodeName === victim);
    expect(before.length).toBeGreaterThan(0);
    lab.agent(victim).suspend();
    await eventually(
      async () => {
        const onVictim = (await slices()).flatMap((s) => s.endpoints).filter((e) => e.nodeName === victim);
        return onVictim.length > 0 && onVictim.every((e) => e.conditions?.ready === false);
      },
      graceMs + 3000,
      'endpoints on the silent node to be not ready',
    );
    const others = (await readyEndpoints()).filter((e) => e.nodeName !== victim);
    expect(others.length).toBe(5 - before.length);
    lab.agent(victim).resume();
    await eventually(async () => (await readyEndpoints()).length === 5, 5000, 'endpoints back after resume');
  });
});
