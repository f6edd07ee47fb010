// Renderer details beyond the golden tests: iptables-save form, large-cluster mode, IPVS, partial sync.
import { type EndpointSlice, parseManifestsOrThrow } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { kernelProbability, Proxier, ruleToSaveForm } from '../src/index.js';
import { fakeProxierConfig, fixture, proxierFor } from './fixtures.js';

function manyEndpoints(services: number, perService: number): string {
  const docs: string[] = [];
  for (let s = 0; s < services; s++) {
    docs.push(`apiVersion: v1
kind: Service
metadata: { name: s${s}, namespace: ns }
spec: { clusterIP: 10.96.${s >> 8}.${s & 255}, ports: [{ name: p, port: 80 }] }`);
    const eps = Array.from({ length: perService }, (_, i) => `  - { addresses: [10.${s >> 8}.${s & 255}.${i + 1}] }`).join('\n');
    docs.push(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: s${s}-1, namespace: ns, labels: { kubernetes.io/service-name: s${s} } }
addressType: IPv4
endpoints:
${eps}
ports: [{ name: p, port: 80, protocol: TCP }]`);
  }
  return docs.join('\n---\n');
}

describe('iptables-save form', () => {
  it('prints addresses with /32, -s/-d and -p first, quoted comments', () => {
    // Reference §5 "What iptables-save prints differently".
    expect(
      ruleToSaveForm(
        '-A KUBE-SVC-X -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
      ),
    ).toBe(
      '-A KUBE-SVC-X ! -s 10.0.0.0/8 -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
    );
  });

  it('shows probabilities as the kernel stores them, to 11 decimals', () => {
    expect(['0.5000000000', '0.3333333333', '0.2500000000', '0.2000000000'].map(kernelProbability)).toEqual([
      '0.50000000000',
      '0.33333333349',
      '0.25000000000',
      '0.20000000019',
    ]);
  });

  it('renders the whole ruleset with /32 suffixes and --set-xmark marks', () => {
    const save = Proxier.from(fixture('overall.yaml'), fakeProxierConfig).iptablesSave();
    expect(save).toContain('-A KUBE-SEP-SXIVWICOYRO3J4NJ -s 10.180.0.1/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ');
    expect(save).toContain('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000');
  });
});

describe('large-cluster mode', () => {
  it('leaves comments off SEP and SVC→SEP rules past 1000 endpoints', () => {
    // proxier.go largeClusterEndpointsThreshold = 1000; appendServiceCommentLocked.
    const small = proxierFor(manyEndpoints(2, 3));
    expect(small.largeClusterMode).toBe(false);
    const big = proxierFor(manyEndpoints(101, 10));
    expect(big.largeClusterMode).toBe(true);
    const text = big.iptables().text;
    expect(text).toMatch(/-A KUBE-SEP-\w+ -s 10\.0\.0\.1 -j KUBE-MARK-MASQ/);
    expect(text).toMatch(/-A KUBE-SVC-\w+ -m statistic --mode random --probability 0\.1000000000 -j KUBE-SEP-/);
    expect(text).toContain('"ns/s0:p cluster IP"');
  });

  it('writes 2 + 3E nat rules per ClusterIP Service (number_generated_rules_test.go)', () => {
    const proxier = proxierFor(manyEndpoints(10, 10));
    expect(proxier.iptables().natRules).toBe(325);
    expect(proxier.iptables().filterRules).toBe(4);
  });
});

describe('partial sync', () => {
  it('recomputes only the changed Service and reports its chains', () => {
    const proxier = Proxier.from(fixture('overall.yaml'), fakeProxierConfig);
    const [slice] = parseManifestsOrThrow(`
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: svc1-1, namespace: ns1, labels: { kubernetes.io/service-name: svc1 } }
addressType: IPv4
endpoints: [{ addresses: [10.180.0.1] }, { addresses: [10.180.0.9] }]
ports: [{ name: p80, port: 80, protocol: TCP }]
`);
    const result = proxier.apply({ type: 'upsert', object: slice as EndpointSlice });
    expect(result.service).toBe('ns1/svc1');
    expect(result.recomputed).toEqual(['ns1/svc1:p80/TCP']);
    expect(result.changedChains).toContain('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(result.changedChains.some((c) => c.startsWith('KUBE-SEP-'))).toBe(true);
    expect(result.changedChains).not.toContain('KUBE-SERVICES');
    expect(result.deletedChains).toEqual([]);
    expect(proxier.iptables().text).toContain('10.180.0.9:80');
  });

  it('reports deleted chains and the REJECT rule when the last endpoint goes', () => {
    const proxier = Proxier.from(fixture('overall.yaml'), fakeProxierConfig);
    const [slice] = parseManifestsOrThrow(`
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: svc1-1, namespace: ns1, labels: { kubernetes.io/service-name: svc1 } }
addressType: IPv4
endpoints: [{ addresses: [10.180.0.1] }]
ports: [{ name: p80, port: 80, protocol: TCP }]
`);
    const result = proxier.apply({ type: 'delete', object: slice as EndpointSlice });
    expect(result.deletedChains).toEqual(['KUBE-SEP-SXIVWICOYRO3J4NJ', 'KUBE-SVC-XPGD46QRK7WJZT7O']);
    expect(result.changedChains).toEqual(['KUBE-SERVICES']);
    expect(proxier.iptables().text).toContain('"ns1/svc1:p80 has no endpoints"');
  });
});

describe('IPVS', () => {
  it('prints virtual servers as ipvsadm -Ln, with persistence for ClientIP affinity', () => {
    const text = Proxier.from(fixture('overall.yaml'), fakeProxierConfig).ipvs('rr');
    expect(text.split('\n').slice(0, 3)).toEqual([
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    ]);
    expect(text).toContain('TCP  172.30.0.41:80 rr\n  -> 10.180.0.1:80                Masq    1      0          0');
    expect(text).toContain('TCP  172.30.0.45:80 rr persistent 10800');
    expect(text).toContain('TCP  192.168.0.2:3002 rr persistent 10800');
  });
});

describe('IPv6 and health checks', () => {
  it('renders ip6tables rules with [addr]:port endpoints and ! -d ::1/128 on the nodeports jump', () => {
    const proxier = Proxier.from(
      parseManifestsOrThrow(`
apiVersion: v1
kind: Service
metadata: { name: v6, namespace: ns }
spec: { clusterIP: "fd00:172:30::41", ipFamilies: [IPv6], ports: [{ name: p, port: 80 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: v6-1, namespace: ns, labels: { kubernetes.io/service-name: v6 } }
addressType: IPv6
endpoints: [{ addresses: ["fd00:10:180::1"] }]
ports: [{ name: p, port: 80, protocol: TCP }]
`),
      { nodeName: 'test-node', clusterCIDR: 'fd00:10::/64' },
      { family: 'IPv6' },
    );
    const text = proxier.iptables().text;
    expect(text).toContain('-j DNAT --to-destination [fd00:10:180::1]:80');
    expect(text).toContain('! -s fd00:10::/64 -j KUBE-MARK-MASQ');
    expect(text).toContain('-m addrtype --dst-type LOCAL ! -d ::1/128 -j KUBE-NODEPORTS');
    expect(text).not.toContain('KUBE-FIREWALL');
  });

  it('answers health checks 200 with local ready endpoints and 503 without', () => {
    // pkg/proxy/healthcheck: only LoadBalancer + externalTrafficPolicy Local Services.
    const objects = fixture('overall.yaml');
    expect(Proxier.from(objects, fakeProxierConfig).healthChecks()).toEqual([
      { servicePort: 'ns2/svc2:p80', healthCheckNodePort: 30000, localEndpoints: 0, status: 503 },
    ]);
  });
});

describe('large-cluster threshold during partial syncs', () => {
  it('rebuilds every fragment (a full sync) when a change crosses the threshold', () => {
    const proxier = proxierFor(manyEndpoints(1, 3), { largeClusterThreshold: 3 });
    expect(proxier.largeClusterMode).toBe(false);
    const [slice] = parseManifestsOrThrow(`
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: s0-1, namespace: ns, labels: { kubernetes.io/service-name: s0 } }
addressType: IPv4
endpoints: [{ addresses: [10.0.0.1] }, { addresses: [10.0.0.2] }, { addresses: [10.0.0.3] }, { addresses: [10.0.0.4] }]
ports: [{ name: p, port: 80, protocol: TCP }]
`);
    proxier.syncIPTables();
    expect(proxier.apply({ type: 'upsert', object: slice as EndpointSlice }).fullSync).toBe(true);
    expect(proxier.largeClusterMode).toBe(true);
    const text = proxier.syncIPTables().text;
    expect(text).toContain(':KUBE-SVC-'); // full sync: every chain is written again
    expect(text).not.toMatch(/-A KUBE-SEP-\w+ -m comment/);
  });
});
