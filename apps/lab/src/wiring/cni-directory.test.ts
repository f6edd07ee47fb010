import { createMemoryStore, MemoryBackend, type Node, type Pod, parseManifestsOrThrow, type Store } from '@kemu/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../lab/informer.js';
import { agentAnnotations, agentEndpointOf, flannelAnnotations, publishAgentEndpoint, StoreDirectory } from './cni-directory.js';

// How agents in different processes find each other: each publishes its VTEP on its Node as
// flannel does (flannel-io/flannel Documentation/kubernetes.md: flannel.alpha.coreos.com/public-ip,
// backend-type, backend-data {"VNI","VtepMAC"}), and reads other nodes' pods from the store.
const endpoint = { node: 'n1', address: '127.0.0.2', tunnelPort: 40001, vxlanPort: 40002, vtepMac: '0e:7f:00:00:00:02' };

const objects = parseManifestsOrThrow(`
apiVersion: v1
kind: Node
metadata: {name: n1}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  nodeName: n2
  containers: [{name: web, image: kemu/echo, ports: [{name: http, containerPort: 8080}]}]
status: {phase: Running, podIP: 10.244.2.5}
`);

describe('agent endpoints on Node annotations', () => {
  it('writes flannel’s annotations plus the tunnel and VXLAN ports, and reads them back', () => {
    const annotations = agentAnnotations(endpoint, 1);
    expect(annotations).toMatchObject({
      [flannelAnnotations.backendType]: 'vxlan',
      [flannelAnnotations.backendData]: '{"VNI":1,"VtepMAC":"0e:7f:00:00:00:02"}',
      [flannelAnnotations.publicIP]: '127.0.0.2',
      'kemu.dev/tunnel-port': '40001',
      'kemu.dev/vxlan-port': '40002',
    });
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', annotations } };
    expect(agentEndpointOf(node)).toEqual(endpoint);
  });

  it('reads no endpoint from a Node whose agent has not published one (or only part of it)', () => {
    const node = (annotations: Record<string, string>): Node => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', annotations },
    });
    expect(agentEndpointOf(node({}))).toBeUndefined();
    expect(agentEndpointOf(node({ [flannelAnnotations.publicIP]: '127.0.0.2' }))).toBeUndefined();
    expect(
      agentEndpointOf(node({ ...agentAnnotations(endpoint, 1), [flannelAnnotations.backendData]: '{not json' })),
    ).toBeUndefined();
  });
});

describe('StoreDirectory', () => {
  let store: Store;
  let informers: InformerFactory;
  let directory: StoreDirectory;

  beforeEach(async () => {
    store = createMemoryStore({ backend: new MemoryBackend() });
    for (const object of objects) await store.create(object);
    await publishAgentEndpoint(store, endpoint);
    informers = new InformerFactory(store);
    directory = new StoreDirectory([
      { namespace: 'ingress-nginx', name: 'controller', ip: '10.244.0.2', labels: { app: 'ingress' }, node: '(host)' },
    ]);
    directory.follow(informers);
    await informers.start();
  });

  afterEach(async () => {
    await informers.close();
    await store.close();
  });

  it('finds a pod another process runs by its status.podIP, with its labels, ports and node', () => {
    expect(directory.podByIP('10.244.2.5')).toMatchObject({
      namespace: 'shop',
      name: 'web',
      labels: { app: 'web' },
      ports: [{ name: 'http', containerPort: 8080 }],
      node: 'n2',
    });
  });

  it('finds an agent another process runs by its Node annotations', () => {
    expect(directory.agent('n1')).toEqual(endpoint);
    expect(directory.agent('n2')).toBeUndefined();
  });

  it('prefers what this process registered, and knows the well-known peers', () => {
    directory.addPod('n1', { namespace: 'shop', name: 'web-local', ip: '10.244.2.5' });
    expect(directory.podByIP('10.244.2.5')?.name).toBe('web-local');
    expect(directory.podByIP('10.244.0.2')).toMatchObject({ namespace: 'ingress-nginx', node: '(host)' });
  });

  it('forgets a pod once it is deleted or finished', async () => {
    const pod = (await store.get<Pod>({ kind: 'Pod', namespace: 'shop', name: 'web' }))!;
    await store.update<Pod>({ ...pod, status: { ...pod.status, phase: 'Succeeded' } });
    for (let i = 0; i < 50 && directory.podByIP('10.244.2.5'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(directory.podByIP('10.244.2.5')).toBeUndefined();
  });

  it('does not rewrite a Node that already publishes the same endpoint', async () => {
    const before = (await store.get<Node>({ kind: 'Node', name: 'n1' }))!.metadata.resourceVersion;
    await publishAgentEndpoint(store, endpoint);
    expect((await store.get<Node>({ kind: 'Node', name: 'n1' }))!.metadata.resourceVersion).toBe(before);
  });
});
