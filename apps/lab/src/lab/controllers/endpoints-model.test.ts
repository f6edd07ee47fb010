import { type Node, type Pod, parseManifestsOrThrow, type Service } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { chunk, desiredEndpointGroups, podToEndpoint } from './endpoints-model.js';

const service = (extra = ''): Service =>
  parseManifestsOrThrow(`apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [ { name: http, port: 80, targetPort: http } ]
${extra}`)[0] as Service;

const pod = (
  name: string,
  options: { ready?: boolean; port?: number; node?: string; deleting?: boolean; ip?: string } = {},
): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    labels: { app: 'web' },
    ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: {
    nodeName: options.node ?? 'n1',
    containers: [{ name: 'c', ports: [{ name: 'http', containerPort: options.port ?? 8080 }] }],
  },
  status: {
    phase: 'Running',
    podIP: options.ip ?? `10.244.1.${name.length + 10}`,
    conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
  },
});

const nodes: Record<string, Node> = {
  n1: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } },
  n2: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2', labels: { 'topology.kubernetes.io/zone': 'zone-b' } } },
};

describe('EndpointSlice content', () => {
  // endpointslice utils.go podToEndpoint: terminating pods are not ready but keep serving.
  it('sets ready, serving and terminating as upstream', () => {
    const svc = service();
    expect(podToEndpoint(pod('a'), svc, nodes.n1, '10.0.0.1').conditions).toEqual({
      ready: true,
      serving: true,
      terminating: false,
    });
    expect(podToEndpoint(pod('a', { deleting: true }), svc, nodes.n1, '10.0.0.1').conditions).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
    expect(podToEndpoint(pod('a', { ready: false }), svc, nodes.n1, '10.0.0.1').conditions).toEqual({
      ready: false,
      serving: false,
      terminating: false,
    });
  });

  it('publishes not-ready pods as ready when publishNotReadyAddresses is set', () => {
    const svc = service('  publishNotReadyAddresses: true');
    expect(podToEndpoint(pod('a', { ready: false }), svc, nodes.n1, '10.0.0.1').conditions?.ready).toBe(true);
  });

  it('takes nodeName and the zone from the node label', () => {
    const endpoint = podToEndpoint(pod('a', { node: 'n2' }), service(), nodes.n2, '10.0.0.1');
    expect(endpoint).toMatchObject({ nodeName: 'n2', zone: 'zone-b', targetRef: { kind: 'Pod', name: 'a', uid: 'uid-a' } });
  });

  // podutil.FindPort: a named targetPort resolves per pod, so pods with different numbers land in different slices.
  it('groups pods by their resolved named target port', () => {
    const groups = desiredEndpointGroups(
      service(),
      [pod('a', { port: 8080 }), pod('bb', { port: 9090 }), pod('ccc', { port: 8080 })],
      (n) => nodes[n],
    );
    expect(groups.map((g) => [g.ports[0]?.port, g.endpoints.map((e) => e.targetRef?.name)])).toEqual([
      [8080, ['a', 'ccc']],
      [9090, ['bb']],
    ]);
    expect(groups[0]!.ports[0]).toEqual({ name: 'http', port: 8080, protocol: 'TCP' });
  });

  it('leaves out pods without an IP and finished pods', () => {
    const noIP = pod('a');
    delete noIP.status!.podIP;
    const done = pod('bb');
    done.status!.phase = 'Succeeded';
    expect(desiredEndpointGroups(service(), [noIP, done], (n) => nodes[n])).toEqual([]);
  });

  // trafficDistribution: PreferClose hints each endpoint for its own zone.
  it('adds zone hints with trafficDistribution PreferClose', () => {
    const groups = desiredEndpointGroups(
      service('  trafficDistribution: PreferClose'),
      [pod('a'), pod('bb', { node: 'n2' })],
      (n) => nodes[n],
    );
    expect(groups[0]!.endpoints.map((e) => e.hints)).toEqual([
      { forZones: [{ name: 'zone-a' }] },
      { forZones: [{ name: 'zone-b' }] },
    ]);
  });

  // --max-endpoints-per-slice defaults to 100.
  it('puts at most 100 endpoints in a slice', () => {
    const pods = Array.from({ length: 250 }, (_, i) =>
      pod(`p${String(i).padStart(3, '0')}`, { ip: `10.244.${Math.floor(i / 200)}.${i % 200}` }),
    );
    const [group] = desiredEndpointGroups(service(), pods, (n) => nodes[n]);
    expect(chunk(group!).map((s) => s.endpoints.length)).toEqual([100, 100, 50]);
  });
});
