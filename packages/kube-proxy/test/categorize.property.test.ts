// Invariants of CategorizeEndpoints (pkg/proxy/topology.go) over random endpoint sets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categorizeEndpoints, type EndpointInfo, ServiceTable } from '../src/index.js';
import { yaml } from './fixtures.js';

const ports = (spec: string) =>
  ServiceTable.from(
    yaml(`
apiVersion: v1
kind: Service
metadata: { name: s, namespace: ns }
spec: { clusterIP: 10.96.0.1, ${spec} ports: [{ name: p, port: 80${spec.includes('NodePort') ? ', nodePort: 30080' : ''} }] }
`),
  ).servicePorts()[0];

const endpoint = fc
  .record({
    ready: fc.boolean(),
    serving: fc.boolean(),
    terminating: fc.boolean(),
    node: fc.constantFrom('node-a', 'node-b', ''),
    zones: fc.subarray(['zone-a', 'zone-b']),
  })
  .map(
    (e): Omit<EndpointInfo, 'ip' | 'endpoint'> => ({
      port: 80,
      // A ready endpoint is always serving (EndpointSlice API rule).
      ready: e.ready,
      serving: e.ready || e.serving,
      terminating: e.ready ? false : e.terminating,
      nodeName: e.node,
      zone: '',
      zoneHints: new Set(e.zones),
      nodeHints: new Set(),
      hostname: undefined,
      podName: undefined,
      chain: 'KUBE-SEP-X',
      nftBase: 'X',
    }),
  );

const endpoints = fc
  .array(endpoint, { maxLength: 8 })
  .map((list) => list.map((e, i) => ({ ...e, ip: `10.0.0.${i + 1}`, endpoint: `10.0.0.${i + 1}:80` }) as EndpointInfo));

describe('CategorizeEndpoints invariants', () => {
  for (const spec of ['', 'internalTrafficPolicy: Local,', 'type: NodePort, externalTrafficPolicy: Local,']) {
    it(`holds for "${spec || 'Cluster'}"`, () => {
      const port = ports(spec);
      if (!port) throw new Error('no port');
      fc.assert(
        fc.property(endpoints, fc.constantFrom('zone-a', 'zone-b', ''), (eps, zone) => {
          const c = categorizeEndpoints(eps, port, { nodeName: 'node-a', zone });
          const anyReady = eps.some((e) => e.ready);
          // Cluster side: ready endpoints, or (none ready anywhere) serving+terminating ones.
          for (const e of c.clusterEndpoints) expect(e.ready || (!anyReady && e.serving && e.terminating)).toBe(true);
          // Local side: only this node's endpoints.
          for (const e of c.localEndpoints) expect(e.nodeName).toBe('node-a');
          // SEP chains exist exactly for the union.
          const union = new Set([...c.clusterEndpoints, ...c.localEndpoints].map((e) => e.endpoint));
          expect(new Set(c.allReachable.map((e) => e.endpoint))).toEqual(union);
          // hasAnyEndpoints: a usable endpoint exists somewhere.
          expect(c.hasAnyEndpoints).toBe(eps.some((e) => e.ready || (e.serving && e.terminating)));
        }),
      );
    });
  }
});
