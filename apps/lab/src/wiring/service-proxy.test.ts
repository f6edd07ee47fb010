import { Resolver } from 'node:dns/promises';
import type { Service } from '@kemu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../lab/lab.js';
import { createServiceProxy } from './service-proxy.js';

const app = `
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
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

describe('the service proxy in a lab (@kemu/kube-proxy wired to the pod address book)', () => {
  let lab: Lab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  async function start() {
    const proxy = createServiceProxy();
    lab = new Lab({ nodes: 2, api: false, addons: [proxy.addon] });
    await lab.start();
    await lab.apply(app);
    await lab.ready();
    const service = (await lab.store.get<Service>({ kind: 'Service', namespace: 'default', name: 'web' }))!;
    return { proxy, service };
  }

  it('carries a real HTTP request from a NodePort on 127.0.0.1 to a pod', async () => {
    const { service } = await start();
    const nodePort = service.spec.ports![0]!.nodePort!;
    // The endpoints arrive asynchronously through the informers: poll until the first answer.
    let body: { pod?: string } = {};
    for (let i = 0; i < 50 && !body.pod; i++) {
      body = await fetch(`http://127.0.0.1:${nodePort}/hello`).then(
        (r) => r.json() as Promise<{ pod?: string }>,
        () => ({}),
      );
      if (!body.pod) await new Promise((r) => setTimeout(r, 50));
    }
    expect(body.pod).toMatch(/^web-/);
  });

  it('connects pod egress to the ClusterIP through a chosen endpoint', async () => {
    const { proxy, service } = await start();
    // The EndpointSlices reach the proxier through informers: retry until it knows an endpoint.
    let socket: Awaited<ReturnType<typeof proxy.connect>> | undefined;
    for (let i = 0; i < 100 && !socket; i++) {
      socket = await proxy.connect(service.spec.clusterIP!, 80, '10.244.1.99').catch(async () => {
        await new Promise((r) => setTimeout(r, 20));
        return undefined;
      });
    }
    if (!socket) throw new Error('no endpoint became reachable through the ClusterIP');
    socket.write('GET /x HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n');
    const text = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk;
      });
      socket.on('end', () => resolve(data));
    });
    expect(text).toMatch(/^HTTP\/1\.1 200/);
  });

  it('answers cluster DNS for the Service on loopback', async () => {
    const { proxy, service } = await start();
    const resolver = new Resolver();
    resolver.setServers([`127.0.0.1:${proxy.dnsPort}`]);
    expect(await resolver.resolve4('web.default.svc.cluster.local')).toEqual([service.spec.clusterIP]);
  });

  it('renders the rules of any node', async () => {
    const { proxy } = await start();
    expect(proxy.renderRules('kemu-worker2', 'iptables')).toContain(
      '-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP"',
    );
    expect(proxy.renderRules('kemu-worker2', 'nftables')).toContain('table ip kube-proxy');
  });
});
