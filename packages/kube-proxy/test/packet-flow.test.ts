// Packet-flow cases ported from upstream pkg/proxy/iptables/proxier_test.go (runPacketFlowTests):
// source/destination in, "output" (endpoints, REJECT, DROP or "") and masquerade out.
import type { KubernetesObject } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type Packet, Proxier, probability, tracePacket } from '../src/index.js';
import { fakeProxierConfig } from './fixtures.js';

const raw = (text: string) => parseAllDocuments(text).map((d) => d.toJSON() as KubernetesObject);
// testNodeIPs of the fake proxier.
const nodeIPs = ['192.168.0.2', '192.168.1.2', '192.168.99.11', '2001:db8::1', '2001:db8:1::2'];

interface Flow extends Packet {
  readonly name: string;
  readonly output: string;
  readonly masq?: boolean;
}

function runPacketFlowTests(proxier: Proxier, flows: readonly Flow[]): void {
  for (const flow of flows) {
    const trace = tracePacket(proxier, flow, { nodeIPs });
    expect({ name: flow.name, output: trace.output, masq: trace.output.includes(':') ? trace.masq : undefined }).toEqual({
      name: flow.name,
      output: flow.output,
      masq: flow.output.includes(':') ? (flow.masq ?? false) : undefined,
    });
  }
}

describe('packet flows', () => {
  it('TestClusterIPGeneral', () => {
    const proxier = Proxier.from(
      raw(`
apiVersion: v1
kind: Service
metadata: { name: svc1, namespace: ns1 }
spec: { clusterIP: 172.30.0.41, ports: [{ name: http, port: 80, protocol: TCP }] }
---
apiVersion: v1
kind: Service
metadata: { name: svc2, namespace: ns2 }
spec:
  clusterIP: 172.30.0.42
  ports:
  - { name: http, port: 80, protocol: TCP }
  - { name: https, port: 443, protocol: TCP, targetPort: 8443 }
  - { name: dns-udp, port: 53, protocol: UDP }
  - { name: dns-tcp, port: 53, protocol: TCP, targetPort: 5353 }
  - { name: dns-sctp, port: 53, protocol: SCTP }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: svc1-1, namespace: ns1, labels: { kubernetes.io/service-name: svc1 } }
addressType: IPv4
endpoints: [{ addresses: [10.180.0.1], nodeName: test-node }]
ports: [{ name: http, port: 80, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: svc2-1, namespace: ns2, labels: { kubernetes.io/service-name: svc2 } }
addressType: IPv4
endpoints: [{ addresses: [10.180.0.1], nodeName: test-node }, { addresses: [10.180.2.1], nodeName: node2 }]
ports:
- { name: http, port: 80, protocol: TCP }
- { name: https, port: 8443, protocol: TCP }
- { name: dns-udp, port: 53, protocol: UDP }
- { name: dns-tcp, port: 5353, protocol: TCP }
- { name: dns-sctp, port: 53, protocol: SCTP }
`),
      fakeProxierConfig,
    );
    runPacketFlowTests(proxier, [
      { name: 'simple clusterIP', sourceIP: '10.180.0.2', destIP: '172.30.0.41', destPort: 80, output: '10.180.0.1:80' },
      {
        name: 'hairpin to cluster IP',
        sourceIP: '10.180.0.1',
        destIP: '172.30.0.41',
        destPort: 80,
        output: '10.180.0.1:80',
        masq: true,
      },
      {
        name: 'clusterIP with multiple endpoints',
        sourceIP: '10.180.0.2',
        destIP: '172.30.0.42',
        destPort: 80,
        output: '10.180.0.1:80, 10.180.2.1:80',
      },
      {
        name: 'clusterIP with TargetPort',
        sourceIP: '10.180.0.2',
        destIP: '172.30.0.42',
        destPort: 443,
        output: '10.180.0.1:8443, 10.180.2.1:8443',
      },
      {
        name: 'TCP on shared port',
        sourceIP: '10.180.0.2',
        protocol: 'TCP',
        destIP: '172.30.0.42',
        destPort: 53,
        output: '10.180.0.1:5353, 10.180.2.1:5353',
      },
      {
        name: 'UDP on shared port',
        sourceIP: '10.180.0.2',
        protocol: 'UDP',
        destIP: '172.30.0.42',
        destPort: 53,
        output: '10.180.0.1:53, 10.180.2.1:53',
      },
      {
        name: 'SCTP on shared port',
        sourceIP: '10.180.0.2',
        protocol: 'SCTP',
        destIP: '172.30.0.42',
        destPort: 53,
        output: '10.180.0.1:53, 10.180.2.1:53',
      },
      {
        name: 'TCP-only port does not match UDP traffic',
        sourceIP: '10.180.0.2',
        protocol: 'UDP',
        destIP: '172.30.0.42',
        destPort: 80,
        output: '',
      },
      { name: "svc1 does not accept svc2's ports", sourceIP: '10.180.0.2', destIP: '172.30.0.41', destPort: 443, output: '' },
    ]);
  });

  it('TestLoadBalancer', () => {
    const proxier = Proxier.from(
      raw(`
apiVersion: v1
kind: Service
metadata: { name: svc1, namespace: ns1 }
spec:
  type: LoadBalancer
  clusterIP: 172.30.0.41
  ports: [{ name: p80, port: 80, protocol: TCP, nodePort: 3001 }]
  loadBalancerSourceRanges: [192.168.0.0/24, " 203.0.113.0/25"]
status: { loadBalancer: { ingress: [{ ip: 1.2.3.4 }, { ip: 5.6.7.8 }] } }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: svc1-1, namespace: ns1, labels: { kubernetes.io/service-name: svc1 } }
addressType: IPv4
endpoints: [{ addresses: [10.180.0.1] }]
ports: [{ name: p80, port: 80, protocol: TCP }]
`),
      fakeProxierConfig,
    );
    const ep = '10.180.0.1:80';
    runPacketFlowTests(proxier, [
      { name: 'pod to cluster IP', sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80, output: ep },
      { name: 'external to nodePort', sourceIP: '203.0.113.2', destIP: '192.168.0.2', destPort: 3001, output: ep, masq: true },
      {
        name: 'nodePort bypasses LoadBalancerSourceRanges',
        sourceIP: '203.0.113.130',
        destIP: '192.168.0.2',
        destPort: 3001,
        output: ep,
        masq: true,
      },
      { name: 'accepted external to LB1', sourceIP: '203.0.113.2', destIP: '1.2.3.4', destPort: 80, output: ep, masq: true },
      { name: 'accepted external to LB2', sourceIP: '203.0.113.2', destIP: '5.6.7.8', destPort: 80, output: ep, masq: true },
      { name: 'blocked external to LB1', sourceIP: '203.0.113.130', destIP: '1.2.3.4', destPort: 80, output: 'DROP' },
      {
        name: 'pod to LB1 (blocked by LoadBalancerSourceRanges)',
        sourceIP: '10.0.0.2',
        destIP: '1.2.3.4',
        destPort: 80,
        output: 'DROP',
      },
      {
        name: 'node to LB1 (allowed by LoadBalancerSourceRanges)',
        sourceIP: '192.168.0.2',
        destIP: '1.2.3.4',
        destPort: 80,
        output: ep,
        masq: true,
      },
      {
        name: 'same node to LB1, SNATted to LB1 (implicitly allowed)',
        sourceIP: '1.2.3.4',
        destIP: '1.2.3.4',
        destPort: 80,
        output: ep,
        masq: true,
      },
      {
        name: 'same node to LB2, SNATted to LB2 (implicitly allowed)',
        sourceIP: '5.6.7.8',
        destIP: '5.6.7.8',
        destPort: 80,
        output: ep,
        masq: true,
      },
    ]);
  });

  it('TestNoEndpointsReject', () => {
    const proxier = Proxier.from(
      raw(`
apiVersion: v1
kind: Service
metadata: { name: svc1, namespace: ns1 }
spec:
  type: LoadBalancer
  clusterIP: 172.30.0.41
  externalIPs: [192.168.99.11]
  ports: [{ name: p80, port: 80, protocol: TCP, nodePort: 3001 }]
status: { loadBalancer: { ingress: [{ ip: 1.2.3.4 }] } }
`),
      fakeProxierConfig,
    );
    runPacketFlowTests(proxier, [
      {
        name: 'pod to cluster IP with no endpoints',
        sourceIP: '10.0.0.2',
        destIP: '172.30.0.41',
        destPort: 80,
        output: 'REJECT',
      },
      {
        name: 'external to external IP with no endpoints',
        sourceIP: '203.0.113.2',
        destIP: '192.168.99.11',
        destPort: 80,
        output: 'REJECT',
      },
      {
        name: 'pod to NodePort with no endpoints',
        sourceIP: '10.0.0.2',
        destIP: '192.168.0.2',
        destPort: 3001,
        output: 'REJECT',
      },
      {
        name: 'external to NodePort with no endpoints',
        sourceIP: '203.0.113.2',
        destIP: '192.168.0.2',
        destPort: 3001,
        output: 'REJECT',
      },
      {
        name: 'pod to LoadBalancer IP with no endpoints',
        sourceIP: '10.0.0.2',
        destIP: '1.2.3.4',
        destPort: 80,
        output: 'REJECT',
      },
      {
        name: 'external to LoadBalancer IP with no endpoints',
        sourceIP: '203.0.113.2',
        destIP: '1.2.3.4',
        destPort: 80,
        output: 'REJECT',
      },
    ]);
  });

  it('TestNodePorts (ipv4, localhost-nodeports enabled)', () => {
    const proxier = Proxier.from(
      raw(`
apiVersion: v1
kind: Service
metadata: { name: svc1, namespace: ns1 }
spec: { type: NodePort, clusterIP: 172.30.0.41, ports: [{ name: p80, port: 80, protocol: TCP, nodePort: 3001 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: svc1-1, namespace: ns1, labels: { kubernetes.io/service-name: svc1 } }
addressType: IPv4
endpoints: [{ addresses: [10.180.0.1] }, { addresses: [10.180.2.1], nodeName: test-node }]
ports: [{ name: p80, port: 80, protocol: TCP }]
`),
      fakeProxierConfig,
    );
    const output = '10.180.0.1:80, 10.180.2.1:80';
    runPacketFlowTests(proxier, [
      { name: 'pod to cluster IP', sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80, output },
      { name: 'external to nodePort', sourceIP: '203.0.113.2', destIP: '192.168.0.2', destPort: 3001, output, masq: true },
      { name: 'node to nodePort', sourceIP: '192.168.0.2', destIP: '192.168.0.2', destPort: 3001, output, masq: true },
      {
        name: 'localhost to nodePort gets masqueraded',
        sourceIP: '127.0.0.1',
        destIP: '127.0.0.1',
        destPort: 3001,
        output,
        masq: true,
      },
      {
        name: 'external to nodePort on secondary IP',
        sourceIP: '203.0.113.2',
        destIP: '192.168.1.2',
        destPort: 3001,
        output,
        masq: true,
      },
    ]);
    // ipv4, localhost-nodeports disabled: "localhost to nodePort is ignored".
    const off = Proxier.from([...proxier.table.services(), ...proxier.table.slicesOf('ns1/svc1')], {
      ...fakeProxierConfig,
      localhostNodePorts: false,
    });
    runPacketFlowTests(off, [
      { name: 'localhost to nodePort is ignored', sourceIP: '127.0.0.1', destIP: '127.0.0.1', destPort: 3001, output: '' },
    ]);
  });

  for (const policy of ['Local', 'Cluster'] as const) {
    it(`TestExternalTrafficPolicy${policy}`, () => {
      const proxier = Proxier.from(
        raw(`
apiVersion: v1
kind: Service
metadata: { name: svc1, namespace: ns1 }
spec:
  type: LoadBalancer
  externalTrafficPolicy: ${policy}
  clusterIP: 172.30.0.41
  externalIPs: [192.168.99.11]
  healthCheckNodePort: 30000
  ports: [{ name: p80, port: 80, protocol: TCP, nodePort: 3001, targetPort: 80 }]
status: { loadBalancer: { ingress: [{ ip: 1.2.3.4 }] } }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: svc1-1, namespace: ns1, labels: { kubernetes.io/service-name: svc1 } }
addressType: IPv4
endpoints: [{ addresses: [10.180.0.1] }, { addresses: [10.180.2.1], nodeName: test-node }]
ports: [{ name: p80, port: 80, protocol: TCP }]
`),
        fakeProxierConfig,
      );
      const both = '10.180.0.1:80, 10.180.2.1:80';
      const local = policy === 'Local';
      // Local: external clients reach only the local endpoint, unmasqueraded; pods short-circuit.
      // Cluster: everything external is masqueraded and reaches both endpoints.
      runPacketFlowTests(proxier, [
        { name: 'pod to cluster IP', sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80, output: both },
        { name: 'pod to external IP', sourceIP: '10.0.0.2', destIP: '192.168.99.11', destPort: 80, output: both, masq: !local },
        {
          name: 'external to external IP',
          sourceIP: '203.0.113.2',
          destIP: '192.168.99.11',
          destPort: 80,
          output: local ? '10.180.2.1:80' : both,
          masq: !local,
        },
        { name: 'pod to LB IP', sourceIP: '10.0.0.2', destIP: '1.2.3.4', destPort: 80, output: both, masq: !local },
        {
          name: 'external to LB IP',
          sourceIP: '203.0.113.2',
          destIP: '1.2.3.4',
          destPort: 80,
          output: local ? '10.180.2.1:80' : both,
          masq: !local,
        },
        { name: 'pod to NodePort', sourceIP: '10.0.0.2', destIP: '192.168.0.2', destPort: 3001, output: both, masq: !local },
        {
          name: 'external to NodePort',
          sourceIP: '203.0.113.2',
          destIP: '192.168.0.2',
          destPort: 3001,
          output: local ? '10.180.2.1:80' : both,
          masq: !local,
        },
      ]);
    });
  }

  it('TestComputeProbability', () => {
    const expected: Record<number, string> = {
      1: '1.0000000000',
      2: '0.5000000000',
      10: '0.1000000000',
      100: '0.0100000000',
      1000: '0.0010000000',
      10000: '0.0001000000',
      100000: '0.0000100000',
      100001: '0.0000099999',
    };
    for (const [n, text] of Object.entries(expected)) expect(probability(Number(n))).toBe(text);
  });
});
