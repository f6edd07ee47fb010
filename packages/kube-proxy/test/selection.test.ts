// Selection semantics: the path a connection takes through kube-proxy's rules and why.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AffinityTable, Proxier, probability, route, ServiceNotFoundError, seededRandom } from '../src/index.js';
import { fakeProxierConfig, fixture, proxierFor } from './fixtures.js';

const web = (spec = '', endpoints = 3) => `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { clusterIP: 10.96.0.10, ${spec} ports: [{ name: http, port: 80${spec.includes('NodePort') ? ', nodePort: 30080' : ''} }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints:
${Array.from({ length: endpoints }, (_, i) => `  - { addresses: [10.1.0.${i + 1}], nodeName: node-${i} }`).join('\n')}
ports: [{ name: http, port: 8080, protocol: TCP }]
`;

describe('route (iptables mode)', () => {
  it('DNATs to an endpoint through KUBE-SERVICES → KUBE-SVC → KUBE-SEP', () => {
    const proxier = proxierFor(web());
    const s = route(proxier, { servicePort: 'default/web:http', clientIP: '10.0.5.5' });
    expect(s.verdict).toBe('DNAT');
    expect(s.chains[0]).toBe('KUBE-SERVICES');
    expect(s.chains[1]).toMatch(/^KUBE-SVC-/);
    expect(s.chains[2]).toBe(s.endpoint?.chain);
    expect(s.masquerade).toBe(false);
  });

  it('masquerades a ClusterIP client from outside the cluster CIDR', () => {
    const s = route(proxierFor(web()), { servicePort: 'default/web:http', clientIP: '192.168.0.9' });
    expect(s.masquerade).toBe(true);
    expect(s.reasons.map((r) => r.code)).toContain('masquerade-off-cluster');
  });

  it('spreads connections evenly: rule i of n matches with probability 1/(n−i)', () => {
    // The chained probabilities multiply out to 1/n per endpoint (writeServiceToEndpointRules).
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (n) => {
        let remaining = 1;
        for (let i = 0; i < n; i++) {
          const p = i < n - 1 ? Number(probability(n - i)) : 1;
          expect(remaining * p).toBeCloseTo(1 / n, 8);
          remaining *= 1 - p;
        }
      }),
    );
    const proxier = proxierFor(web());
    const random = seededRandom(7);
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const s = route(proxier, { servicePort: 'default/web:http', clientIP: '10.0.5.5', random });
      counts.set(s.endpoint?.ip ?? '', (counts.get(s.endpoint?.ip ?? '') ?? 0) + 1);
    }
    for (const c of counts.values()) expect(c).toBeGreaterThan(1700);
  });

  it('REJECTs a Service with no endpoints and DROPs ITP Local without local ones', () => {
    // TestOverallIPTablesRules: "has no endpoints" REJECT, "has no local endpoints" DROP.
    const proxier = Proxier.from(fixture('overall.yaml'), fakeProxierConfig);
    expect(route(proxier, { servicePort: 'ns6/svc6:p80', clientIP: '10.0.0.2' }).verdict).toBe('REJECT');
    const local = proxierFor(web('internalTrafficPolicy: Local,'), { nodeName: 'node-9' });
    const s = route(local, { servicePort: 'default/web:http', clientIP: '10.0.0.2' });
    expect(s.verdict).toBe('DROP');
    expect(s.reasons.at(-1)?.code).toBe('no-local-endpoints');
  });

  it('ETP Local: external clients reach only local endpoints; pods short-circuit to the Cluster chain', () => {
    const proxier = proxierFor(web('type: NodePort, externalTrafficPolicy: Local,'), { nodeName: 'node-1' });
    const external = route(proxier, { servicePort: 'default/web:http', via: 'nodePort', clientIP: '203.0.113.2' });
    expect(external.endpoint?.ip).toBe('10.1.0.2');
    expect(external.masquerade).toBe(false);
    const pod = route(proxier, { servicePort: 'default/web:http', via: 'nodePort', clientIP: '10.0.0.7' });
    expect(pod.reasons.map((r) => r.code)).toContain('pod-short-circuit');
    expect(pod.candidates).toHaveLength(3);
    const elsewhere = proxierFor(web('type: NodePort, externalTrafficPolicy: Local,'), { nodeName: 'node-9' });
    expect(route(elsewhere, { servicePort: 'default/web:http', via: 'nodePort', clientIP: '203.0.113.2' }).verdict).toBe('DROP');
  });

  it('drops LB traffic from outside loadBalancerSourceRanges', () => {
    const proxier = Proxier.from(fixture('overall.yaml'), fakeProxierConfig);
    expect(route(proxier, { servicePort: 'ns5/svc5:p80', via: 'loadBalancer', clientIP: '203.0.113.130' }).verdict).toBe('DROP');
    expect(route(proxier, { servicePort: 'ns5/svc5:p80', via: 'loadBalancer', clientIP: '203.0.113.2' }).verdict).toBe('DNAT');
  });

  it('masquerades hairpin traffic from an endpoint to itself', () => {
    const s = route(proxierFor(web('', 1)), { servicePort: 'default/web:http', clientIP: '10.1.0.1' });
    expect(s.masquerade).toBe(true);
    expect(s.reasons.at(-1)?.code).toBe('masquerade-hairpin');
  });

  it('keeps a ClientIP-affine client on its endpoint until the timeout passes', () => {
    // recent --rcheck --seconds T --reap: hit within T seconds, miss after.
    const proxier = proxierFor(web('sessionAffinity: ClientIP, sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },', 5));
    const affinity = new AffinityTable();
    const random = seededRandom(3);
    const first = route(proxier, { servicePort: 'default/web:http', clientIP: '10.0.9.9', affinity, now: 0, random });
    for (let t = 1; t <= 50; t++) {
      const again = route(proxier, { servicePort: 'default/web:http', clientIP: '10.0.9.9', affinity, now: t, random });
      expect(again.endpoint?.ip).toBe(first.endpoint?.ip);
      expect(again.reasons.map((r) => r.code)).toContain('affinity-hit');
    }
    const later = route(proxier, { servicePort: 'default/web:http', clientIP: '10.0.9.9', affinity, now: 50 + 61, random });
    expect(later.reasons.map((r) => r.code)).toContain('affinity-miss');
  });

  it('leaves out endpoints that already failed (userspace retry)', () => {
    const s = route(proxierFor(web('', 2)), {
      servicePort: 'default/web:http',
      clientIP: '10.0.0.2',
      exclude: ['10.1.0.1:8080'],
    });
    expect(s.endpoint?.ip).toBe('10.1.0.2');
  });

  it('throws a clear error for a port name the Service does not have', () => {
    expect(() => route(proxierFor(web()), { servicePort: 'default/web:https', clientIP: '10.0.0.2' })).toThrow(
      ServiceNotFoundError,
    );
  });
});

describe('route (nftables, IPVS, Maglev)', () => {
  it('nftables numgen picks index floor(r × n)', () => {
    const s = route(proxierFor(web()), {
      servicePort: 'default/web:http',
      clientIP: '10.0.0.2',
      mode: 'nftables',
      random: () => 0.7,
    });
    expect(s.endpoint?.ip).toBe('10.1.0.3');
    expect(s.chains.at(-1)).toMatch(/^endpoint-/);
  });

  it('IPVS rr walks the real servers in turn', () => {
    const proxier = proxierFor(web());
    const ipvsState = { last: -1, currentWeight: 0 };
    const picks = [0, 1, 2, 3].map(
      () =>
        route(proxier, { servicePort: 'default/web:http', clientIP: '10.0.0.2', mode: 'ipvs', scheduler: 'rr', ipvsState })
          .endpoint?.ip,
    );
    expect(picks).toEqual(['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.1']);
  });

  it('IPVS lc picks the server with the fewest connections', () => {
    const s = route(proxierFor(web()), {
      servicePort: 'default/web:http',
      clientIP: '10.0.0.2',
      mode: 'ipvs',
      scheduler: 'lc',
      connections: {
        '10.1.0.1:8080': { active: 3, inactive: 0 },
        '10.1.0.2:8080': { active: 1, inactive: 0 },
        '10.1.0.3:8080': { active: 2, inactive: 0 },
      },
    });
    expect(s.endpoint?.ip).toBe('10.1.0.2');
  });

  it('Maglev answers the same flow with the same backend', () => {
    const proxier = proxierFor(web());
    const a = route(proxier, { servicePort: 'default/web:http', clientIP: '10.0.0.2', clientPort: 40000, mode: 'maglev' });
    const b = route(proxier, { servicePort: 'default/web:http', clientIP: '10.0.0.2', clientPort: 40000, mode: 'maglev' });
    expect(a.endpoint?.ip).toBe(b.endpoint?.ip);
  });
});

describe('determinism', () => {
  it('gives the same flow the same endpoint without a random source, and spreads different flows', () => {
    // The model has no hidden randomness: the default PRNG is seeded from the flow.
    const proxier = proxierFor(web('', 4));
    const pick = (port: number) =>
      route(proxier, { servicePort: 'default/web:http', clientIP: '10.0.0.2', clientPort: port }).endpoint?.ip;
    expect(pick(40000)).toBe(pick(40000));
    expect(new Set(Array.from({ length: 64 }, (_, i) => pick(40000 + i))).size).toBe(4);
  });
});

describe('topology reasons', () => {
  it('says why zone hints were used or ignored', () => {
    const hinted = (zone: string) => `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { clusterIP: 10.96.0.10, trafficDistribution: PreferClose, ports: [{ name: http, port: 80 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints:
  - { addresses: [10.1.0.1], zone: ${zone}, hints: { forZones: [{ name: ${zone} }] } }
ports: [{ name: http, port: 8080, protocol: TCP }]
`;
    const used = route(proxierFor(hinted('zone-a'), { zone: 'zone-a' }), {
      servicePort: 'default/web:http',
      clientIP: '10.0.0.2',
    });
    expect(used.reasons.map((r) => r.code)).toContain('topology-same-zone');
    const ignored = route(proxierFor(hinted('zone-b'), { zone: 'zone-a' }), {
      servicePort: 'default/web:http',
      clientIP: '10.0.0.2',
    });
    expect(ignored.reasons.find((r) => r.code === 'topology-ignored')?.detail).toContain('zone "zone-a"');
  });
});
