// pageView: the page receives only what it draws (page.ts's render), not whole API objects.
import { parseManifestsOrThrow, type Service } from '@kemu/core';
import { expect, it } from 'vitest';
import { pageView } from './page-view.js';

const [pod, slice, service] = parseManifestsOrThrow(`
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  labels: {app: web}
  annotations: {kemu.dev/pod-network: '{"node":"kemu-worker"}'}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, uid: u1, controller: true}]
spec: {nodeName: kemu-worker, containers: [{name: web, image: kemu/echo}]}
status:
  phase: Running
  podIP: 10.244.1.2
  conditions: [{type: PodScheduled, status: "True"}, {type: Ready, status: "True", lastTransitionTime: "2026-01-01T00:00:00Z"}]
  containerStatuses: [{name: web, ready: true, restartCount: 0, image: kemu/echo, imageID: ""}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.244.1.2], conditions: {ready: true}, nodeName: kemu-worker, targetRef: {kind: Pod, name: web-1}}]
ports: [{port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, annotations: {note: x}}
spec: {clusterIP: 10.96.0.20, selector: {app: web}, ports: [{port: 80}]}
`);

it('keeps of a pod its name, node, IP, phase and Ready condition only', () => {
  expect(pageView(pod!)).toEqual({
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
    spec: { nodeName: 'kemu-worker' },
    status: { phase: 'Running', podIP: '10.244.1.2', conditions: [{ type: 'Ready', status: 'True' }] },
  });
});

it('keeps of an EndpointSlice its service label and each endpoint address and readiness', () => {
  expect(pageView(slice!)).toEqual({
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [{ addresses: ['10.244.1.2'], conditions: { ready: true } }],
  });
});

it('keeps the spec of small objects such as Services, without their annotations', () => {
  const view = pageView(service!);
  expect(view.spec).toEqual((service as Service).spec);
  expect(view.metadata).toEqual({ name: 'web', namespace: 'shop' });
});
