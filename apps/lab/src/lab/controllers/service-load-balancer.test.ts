import http from 'node:http';
import type { Service } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../testing/index.js';
import { assignLoadBalancerIP, wantsLoadBalancer } from './service-load-balancer.js';

// The lab's LoadBalancer provider: addresses as MetalLB's kind example pool gives them
// (kind.sigs.k8s.io/docs/user/loadbalancer: 172.18.255.200-172.18.255.250), served on a host port.
describe('assignLoadBalancerIP', () => {
  it('hands out the first free address of the pool', () => {
    expect(assignLoadBalancerIP(new Set())).toBe('172.18.255.200');
    expect(assignLoadBalancerIP(new Set(['172.18.255.200', '172.18.255.201']))).toBe('172.18.255.202');
  });

  it('honours spec.loadBalancerIP when it is in the pool and free, and ignores it otherwise', () => {
    expect(assignLoadBalancerIP(new Set(), '172.18.255.240')).toBe('172.18.255.240');
    expect(assignLoadBalancerIP(new Set(['172.18.255.240']), '172.18.255.240')).toBe('172.18.255.200');
    expect(assignLoadBalancerIP(new Set(), '192.0.2.10')).toBe('172.18.255.200');
  });

  it('has nothing left once the 51 addresses are taken', () => {
    const all = new Set(Array.from({ length: 51 }, (_, i) => `172.18.255.${200 + i}`));
    expect(assignLoadBalancerIP(all)).toBeUndefined();
  });
});

describe('wantsLoadBalancer', () => {
  const service = (spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec });

  it('serves type LoadBalancer without a loadBalancerClass only (KEP-1959)', () => {
    expect(wantsLoadBalancer(service({ type: 'LoadBalancer' }))).toBe(true);
    expect(wantsLoadBalancer(service({ type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' }))).toBe(false);
    expect(wantsLoadBalancer(service({ type: 'NodePort' }))).toBe(false);
  });
});

const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: kemu/echo, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

describe('a LoadBalancer Service in a running lab', () => {
  it('gets an address in status.loadBalancer.ingress and answers on a host port of 127.0.0.1', async () => {
    await using lab = await createLab(manifests, { nodes: 2 });
    await lab.ready();
    let service: Service | undefined;
    for (let i = 0; i < 100 && !service?.status?.loadBalancer?.ingress?.length; i++) {
      service = await lab.full.lab.store.get<Service>({ kind: 'Service', namespace: 'default', name: 'web-lb' });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(service?.status?.loadBalancer?.ingress).toEqual([{ ip: '172.18.255.200', ipMode: 'VIP' }]);
    let entry: string | undefined;
    for (let i = 0; i < 100 && !entry; i++) {
      entry = lab.full.lab.entryPoints().find((p) => p.name.startsWith('loadBalancer default/web-lb'))?.url;
      if (!entry) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(entry).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    // One request, connection closed after it (a kept-alive one would hold the pod's socket at shutdown).
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get(entry!.replace('tcp://', 'http://'), { agent: false }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as { pod: string }).pod).toMatch(/^web-/);
  });
});
