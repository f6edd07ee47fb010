// Which UDP conntrack entries a sync makes stale: pkg/proxy/conntrack/cleanup.go and its
// cleanup_test.go (TestCleanStaleEntries, both the event-based and the reconciling generation),
// with the detection of pkg/proxy/endpointschangetracker.go detectStaleConntrackEntries.
import type { EndpointSlice, Protocol, Service } from '@kemu/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConntrackFlow,
  Proxier,
  ServiceTable,
  type StaleConntrackEntry,
  staleConntrackEntries,
  staleEntryFor,
} from '../src/index.js';
import { fakeProxierConfig } from './fixtures.js';

// cleanup_test.go's constants.
const clusterIP = '172.30.1.1';
const externalIP = '192.168.99.100';
const loadBalancerIP = '1.2.3.4';
const servingIP = '10.240.0.4';
const nonServingIP = '10.240.1.5';
const deletedIP = '10.240.2.6';
const servicePort = 8000;
const nodePort = 32000;
const endpointPort = 9090;
const key = 'test/cleanup-test';

/** The test Service: one port per protocol, NodePort on UDP and SCTP, an external IP and an LB IP. */
const service: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'cleanup-test', namespace: 'test' },
  spec: {
    type: 'LoadBalancer',
    clusterIP,
    externalIPs: [externalIP],
    ports: [
      { name: 'test-tcp', port: servicePort, protocol: 'TCP' },
      { name: 'test-udp', port: servicePort, nodePort, protocol: 'UDP' },
      { name: 'test-sctp', port: servicePort, nodePort, protocol: 'SCTP' },
    ],
  },
  status: { loadBalancer: { ingress: [{ ip: loadBalancerIP }] } },
};

type Ep = { ip: string; ready?: boolean; serving?: boolean; terminating?: boolean };

/** The Service's slice: these endpoints on every port, at `port`. */
function slice(endpoints: Ep[], port = endpointPort): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'cleanup-test-0', namespace: 'test', labels: { 'kubernetes.io/service-name': 'cleanup-test' } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? e.serving ?? true, serving: e.serving ?? true, terminating: e.terminating ?? false },
    })),
    ports: (['TCP', 'UDP', 'SCTP'] as const).map((protocol) => ({ name: `test-${protocol.toLowerCase()}`, port, protocol })),
  };
}

/** The entries one change makes stale: the Service with `before`, then with `after`. */
function change(before: EndpointSlice | undefined, after: EndpointSlice | undefined): StaleConntrackEntry[] {
  const table = ServiceTable.from(before ? [service, before] : [service]);
  const previous = table.portStates(key);
  if (after) table.upsertSlice(after);
  else if (before) table.deleteSlice(before);
  return staleConntrackEntries(previous, table.portStates(key));
}

/** A UDP flow to `origDst:origPortDst` DNATed to `replySrc:replyPortSrc`. */
const flow = (origDst: string, origPortDst: number, replySrc: string, replyPortSrc = endpointPort, protocol: Protocol = 'UDP') =>
  ({ protocol, origDst, origPortDst, replySrc, replyPortSrc }) satisfies ConntrackFlow;

describe('stale UDP conntrack entries', () => {
  it('deletes a removed endpoint’s flows at the ClusterIP, external IP, LB IP and NodePort', () => {
    // "DeletedUDPEndpoints clears NAT entries for all IPs and NodePorts" (ClearEntriesForNAT per
    // Service IP, ClearEntriesForPortNAT for the NodePort).
    const reply = { replySrc: deletedIP, replyPortSrc: endpointPort };
    const common = { reason: 'endpoint-removed', servicePort: 'test/cleanup-test:test-udp', endpoint: `${deletedIP}:9090` };
    expect(change(slice([{ ip: servingIP }, { ip: deletedIP }]), slice([{ ip: servingIP }]))).toEqual([
      { ...common, frontend: 'clusterIP', filter: { protocol: 'UDP', origDst: clusterIP, origPortDst: servicePort, ...reply } },
      { ...common, frontend: 'externalIP', filter: { protocol: 'UDP', origDst: externalIP, origPortDst: servicePort, ...reply } },
      {
        ...common,
        frontend: 'loadBalancer',
        filter: { protocol: 'UDP', origDst: loadBalancerIP, origPortDst: servicePort, ...reply },
      },
      { ...common, frontend: 'nodePort', filter: { protocol: 'UDP', origPortDst: nodePort, ...reply } },
    ]);
  });

  it('deletes the flows of an endpoint that stops serving but is still listed', () => {
    // detectStaleConntrackEntries compares IsServing: serving → not serving counts as deleted
    // (kubernetes#106163); the reconciler keeps serving endpoints only.
    const stale = change(
      slice([{ ip: servingIP }, { ip: nonServingIP }]),
      slice([{ ip: servingIP }, { ip: nonServingIP, serving: false }]),
    );
    expect(stale.map((e) => [e.reason, e.frontend, e.endpoint])).toEqual([
      ['endpoint-not-serving', 'clusterIP', `${nonServingIP}:9090`],
      ['endpoint-not-serving', 'externalIP', `${nonServingIP}:9090`],
      ['endpoint-not-serving', 'loadBalancer', `${nonServingIP}:9090`],
      ['endpoint-not-serving', 'nodePort', `${nonServingIP}:9090`],
    ]);
  });

  it('keeps the flows of a terminating endpoint that still serves', () => {
    // cleanup.go: "we do not take traffic policies, topology, or terminating status of the
    // service into account" — only IsServing.
    const terminating = { ip: servingIP, ready: false, serving: true, terminating: true };
    expect(change(slice([{ ip: servingIP }, { ip: deletedIP }]), slice([terminating, { ip: deletedIP }]))).toEqual([]);
  });

  it('has nothing to delete for an endpoint that was not serving', () => {
    // "If the old endpoint wasn't Serving then there can't be stale conntrack entries since there
    // was no traffic sent to it."
    expect(change(slice([{ ip: servingIP }, { ip: nonServingIP, serving: false }]), slice([{ ip: servingIP }]))).toEqual([]);
  });

  it('deletes the flows to an endpoint’s old port when it changes port (cleanup_test.go testOldEndpointPort)', () => {
    const stale = change(slice([{ ip: servingIP }], 8080), slice([{ ip: servingIP }], endpointPort));
    expect(staleEntryFor(stale, flow(clusterIP, servicePort, servingIP, 8080))?.reason).toBe('endpoint-removed');
    expect(staleEntryFor(stale, flow(clusterIP, servicePort, servingIP, endpointPort))).toBeUndefined();
  });

  it('clears every entry of the port’s addresses when it gets its first serving endpoint after REJECT', () => {
    // "NewlyActiveUDPServices clears entries for all IPs and NodePorts": conntrack may hold
    // entries made while there was no endpoint (not DNATed: reply source = the Service IP).
    const stale = change(undefined, slice([{ ip: servingIP }]));
    expect(stale.map((e) => [e.reason, e.frontend, e.filter])).toEqual([
      ['service-newly-active', 'clusterIP', { protocol: 'UDP', origDst: clusterIP, origPortDst: servicePort }],
      ['service-newly-active', 'externalIP', { protocol: 'UDP', origDst: externalIP, origPortDst: servicePort }],
      ['service-newly-active', 'loadBalancer', { protocol: 'UDP', origDst: loadBalancerIP, origPortDst: servicePort }],
      ['service-newly-active', 'nodePort', { protocol: 'UDP', origPortDst: nodePort }],
    ]);
    expect(staleEntryFor(stale, flow(clusterIP, servicePort, clusterIP, servicePort))?.reason).toBe('service-newly-active');
    expect(staleEntryFor(stale, flow(clusterIP, 3000, clusterIP, 3000))).toBeUndefined();
  });

  it('does not count a port whose only endpoint is not serving as newly active', () => {
    expect(change(undefined, slice([{ ip: nonServingIP, serving: false }]))).toEqual([]);
  });

  it('deletes NodePort flows by port and endpoint, whatever node address they were sent to', () => {
    const stale = change(slice([{ ip: servingIP }, { ip: deletedIP }]), slice([{ ip: servingIP }]));
    expect(staleEntryFor(stale, flow('192.168.0.2', nodePort, deletedIP))?.frontend).toBe('nodePort');
    expect(staleEntryFor(stale, flow('127.0.0.1', nodePort, deletedIP))?.frontend).toBe('nodePort');
    expect(staleEntryFor(stale, flow('192.168.0.2', nodePort, servingIP))).toBeUndefined();
  });

  it('leaves TCP and SCTP flows alone', () => {
    // TCP never was cleared; SCTP was by older releases (IsClearConntrackNeeded) and
    // cleanup_test.go now expects its entries to stay.
    const stale = change(slice([{ ip: servingIP }, { ip: deletedIP }]), slice([{ ip: servingIP }]));
    expect(new Set(stale.map((e) => e.filter.protocol))).toEqual(new Set(['UDP']));
    expect(staleEntryFor(stale, flow(clusterIP, servicePort, deletedIP, endpointPort, 'TCP'))).toBeUndefined();
    expect(staleEntryFor(stale, flow('192.168.0.2', nodePort, deletedIP, endpointPort, 'SCTP'))).toBeUndefined();
  });

  it('deletes exactly the UDP flows at the Service port not DNATed to a serving endpoint (TestCleanStaleEntries matrix)', () => {
    // cleanup_test.go's flows: 3 endpoints × 3 protocols × (3 Service IPs × {service port, another
    // port} + the NodePort). Before the change all three served; after it one serves, one is listed
    // but not serving, one is gone. (Its non-DNATed entries are the newly-active case above.)
    const stale = change(
      slice([{ ip: servingIP }, { ip: nonServingIP }, { ip: deletedIP }]),
      slice([{ ip: servingIP }, { ip: nonServingIP, serving: false }]),
    );
    const deleted: ConntrackFlow[] = [];
    const kept: ConntrackFlow[] = [];
    for (const target of [servingIP, nonServingIP, deletedIP]) {
      for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) {
        const flows = [clusterIP, loadBalancerIP, externalIP].flatMap((ip) =>
          [servicePort, 3000].map((port) => flow(ip, port, target, endpointPort, protocol)),
        );
        flows.push(flow('192.168.0.2', nodePort, target, endpointPort, protocol));
        for (const f of flows) {
          const expected = protocol === 'UDP' && f.origPortDst !== 3000 && target !== servingIP;
          (expected ? deleted : kept).push(f);
        }
      }
    }
    expect(deleted.filter((f) => staleEntryFor(stale, f) === undefined)).toEqual([]);
    expect(kept.filter((f) => staleEntryFor(stale, f) !== undefined)).toEqual([]);
    expect(deleted).toHaveLength(8);
  });

  it('clears every flow to a deleted UDP Service port’s addresses', () => {
    // DeletedUDPClusterIPs; all addresses as the reconciler does since kubernetes#141371.
    const table = ServiceTable.from([service, slice([{ ip: servingIP }])]);
    const previous = table.portStates(key);
    table.deleteService('test', 'cleanup-test');
    const stale = staleConntrackEntries(previous, table.portStates(key));
    expect(stale.map((e) => [e.reason, e.frontend])).toEqual([
      ['service-deleted', 'clusterIP'],
      ['service-deleted', 'externalIP'],
      ['service-deleted', 'loadBalancer'],
      ['service-deleted', 'nodePort'],
    ]);
    expect(staleEntryFor(stale, flow(clusterIP, servicePort, servingIP))?.reason).toBe('service-deleted');
  });

  it('has nothing to delete for endpoints of an unknown Service', () => {
    // "DeletedUDPEndpoints for unknown Service has no effect".
    const orphan = {
      ...slice([{ ip: deletedIP }]),
      metadata: { ...slice([]).metadata, labels: { 'kubernetes.io/service-name': 'unknown' } },
    };
    const table = ServiceTable.from([service, orphan]);
    const previous = table.portStates('test/unknown');
    table.deleteSlice(orphan);
    expect(staleConntrackEntries(previous, table.portStates('test/unknown'))).toEqual([]);
  });

  it('reports the entries with the partial sync that made them stale', () => {
    const proxier = Proxier.from([service, slice([{ ip: servingIP }, { ip: deletedIP }])], fakeProxierConfig);
    const result = proxier.apply({ type: 'upsert', object: slice([{ ip: servingIP }]) });
    expect(result.staleConntrack.map((e) => `${e.reason} ${e.frontend} ${e.endpoint}`)).toEqual([
      `endpoint-removed clusterIP ${deletedIP}:9090`,
      `endpoint-removed externalIP ${deletedIP}:9090`,
      `endpoint-removed loadBalancer ${deletedIP}:9090`,
      `endpoint-removed nodePort ${deletedIP}:9090`,
    ]);
  });

  it('deletes a flow to an endpoint that served before exactly when it does not serve after', () => {
    // The event-based detection and the reconciler (which keeps flows to serving endpoints and
    // deletes the rest) agree on every flow that was DNATed to a serving endpoint.
    const pool = ['10.240.0.1', '10.240.0.2', '10.240.0.3', '10.240.0.4'];
    const endpoints = fc
      .subarray(pool)
      .chain((ips) => fc.tuple(...ips.map((ip) => fc.boolean().map((serving) => ({ ip, serving })))));
    fc.assert(
      fc.property(endpoints, endpoints, (before, after) => {
        const stale = change(slice(before), slice(after));
        for (const ep of before.filter((e) => e.serving)) {
          const servesAfter = after.some((e) => e.ip === ep.ip && e.serving);
          for (const f of [flow(clusterIP, servicePort, ep.ip), flow('192.168.0.2', nodePort, ep.ip)]) {
            expect(staleEntryFor(stale, f) !== undefined).toBe(!servesAfter);
          }
        }
      }),
    );
  });
});
