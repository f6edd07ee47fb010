// CategorizeEndpoints cases, after pkg/proxy/topology_test.go TestCategorizeEndpoints.
import { describe, expect, it } from 'vitest';
import { categorizeEndpoints, ServiceTable } from '../src/index.js';
import { yaml } from './fixtures.js';

interface Ep {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  zones?: string[];
  nodes?: string[];
}

function setup(spec: string, endpoints: Ep[]) {
  const eps = endpoints
    .map((e) => {
      const hints =
        e.zones || e.nodes
          ? `, hints: { ${e.zones ? `forZones: [${e.zones.map((z) => `{ name: ${z} }`).join(', ')}]` : ''}${e.zones && e.nodes ? ', ' : ''}${e.nodes ? `forNodes: [${e.nodes.map((n) => `{ name: ${n} }`).join(', ')}]` : ''} }`
          : '';
      const cond = `conditions: { ready: ${e.ready ?? true}, serving: ${e.serving ?? true}, terminating: ${e.terminating ?? false} }`;
      return `  - { addresses: [${e.ip}], nodeName: ${e.node ?? 'other'}, ${cond}${hints} }`;
    })
    .join('\n');
  const table = ServiceTable.from(
    yaml(`
apiVersion: v1
kind: Service
metadata: { name: s, namespace: ns }
spec: { clusterIP: 10.96.0.1, ${spec} ports: [{ name: p, port: 80${spec.includes('NodePort') ? ', nodePort: 30080' : ''} }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: s-1, namespace: ns, labels: { kubernetes.io/service-name: s } }
addressType: IPv4
endpoints:
${eps}
ports: [{ name: p, port: 80, protocol: TCP }]
`),
  );
  const port = table.servicePort('ns/s:p/TCP');
  if (!port) throw new Error('no port');
  return (node = 'node-a', zone = 'zone-a') => {
    const c = categorizeEndpoints(table.endpoints(port.key), port, { nodeName: node, zone });
    return {
      cluster: c.clusterEndpoints.map((e) => e.ip),
      local: c.localEndpoints.map((e) => e.ip),
      all: c.allReachable.map((e) => e.ip),
      any: c.hasAnyEndpoints,
      mode: c.topologyMode,
    };
  };
}

describe('CategorizeEndpoints', () => {
  it('uses every ready endpoint without hints', () => {
    const run = setup('', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2', ready: false }]);
    expect(run()).toMatchObject({ cluster: ['10.0.0.1'], local: [], all: ['10.0.0.1'], any: true, mode: '' });
  });

  it('keeps only same-zone endpoints when every ready endpoint has a zone hint and one matches', () => {
    const run = setup('trafficDistribution: PreferClose,', [
      { ip: '10.0.0.1', zones: ['zone-a'] },
      { ip: '10.0.0.2', zones: ['zone-b'] },
    ]);
    expect(run()).toMatchObject({ cluster: ['10.0.0.1'], mode: 'PreferSameZone' });
  });

  it('ignores zone hints when one ready endpoint lacks a hint', () => {
    const run = setup('', [{ ip: '10.0.0.1', zones: ['zone-a'] }, { ip: '10.0.0.2' }]);
    expect(run().cluster).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('ignores zone hints when none names the node’s zone, or the node has no zone label', () => {
    const run = setup('', [{ ip: '10.0.0.1', zones: ['zone-b'] }]);
    expect(run('node-a', 'zone-c').cluster).toEqual(['10.0.0.1']);
    expect(run('node-a', '').mode).toBe('');
  });

  it('prefers node hints over zone hints (PreferSameNode)', () => {
    const run = setup('', [
      { ip: '10.0.0.1', zones: ['zone-a'], nodes: ['node-a'] },
      { ip: '10.0.0.2', zones: ['zone-a'], nodes: ['node-b'] },
    ]);
    expect(run()).toMatchObject({ cluster: ['10.0.0.1'], mode: 'PreferSameNode' });
  });

  it('falls back to serving+terminating endpoints when none is ready, ignoring topology', () => {
    const run = setup('', [
      { ip: '10.0.0.1', ready: false, serving: true, terminating: true, zones: ['zone-b'] },
      { ip: '10.0.0.2', ready: false, serving: false, terminating: true },
    ]);
    expect(run()).toMatchObject({ cluster: ['10.0.0.1'], any: true });
  });

  it('never uses a terminating endpoint that is not serving', () => {
    const run = setup('', [{ ip: '10.0.0.1', ready: false, serving: false, terminating: true }]);
    expect(run()).toMatchObject({ cluster: [], all: [], any: false });
  });

  it('internalTrafficPolicy Local uses only this node’s endpoints, and hasAnyEndpoints stays true', () => {
    const run = setup('internalTrafficPolicy: Local,', [{ ip: '10.0.0.1', node: 'node-a' }, { ip: '10.0.0.2' }]);
    expect(run()).toMatchObject({ cluster: [], local: ['10.0.0.1'], all: ['10.0.0.1'], any: true });
    expect(run('node-z')).toMatchObject({ local: [], all: [], any: true });
  });

  it('Local policy falls back to local serving+terminating endpoints on its own', () => {
    const run = setup('internalTrafficPolicy: Local,', [
      { ip: '10.0.0.1', node: 'node-a', ready: false, terminating: true },
      { ip: '10.0.0.2', node: 'node-b' },
    ]);
    expect(run().local).toEqual(['10.0.0.1']);
  });

  it('externalTrafficPolicy Local on a NodePort uses both sets; SEP chains for their union', () => {
    const run = setup('type: NodePort, externalTrafficPolicy: Local,', [
      { ip: '10.0.0.1', node: 'node-a', ready: false, terminating: true },
      { ip: '10.0.0.2', node: 'node-b' },
    ]);
    expect(run()).toMatchObject({ cluster: ['10.0.0.2'], local: ['10.0.0.1'], all: ['10.0.0.1', '10.0.0.2'] });
  });
});
