import { type EndpointSlice, parseManifestsOrThrow } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { NodePortConflictError } from '../errors.js';
import { ServiceTable } from './table.js';

const svc = (extra = '') => `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec:
  clusterIP: 10.96.0.10
  ports:
  - { name: http, port: 80, targetPort: 8080 }
  - { name: dns, port: 53, protocol: UDP }
${extra}`;

const slice = (name: string, body: string) => `
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
${body}`;

const table = (text: string) => ServiceTable.from(parseManifestsOrThrow(text));

describe('service table from EndpointSlices', () => {
  it('matches slice ports to Service ports by (name, protocol)', () => {
    // endpointslicecache.go: ServicePortName{name, port name, protocol}.
    const t = table(
      svc() +
        slice(
          'a',
          'endpoints: [{ addresses: [10.244.1.1] }]\nports: [{ name: http, port: 8080, protocol: TCP }, { name: http, port: 9999, protocol: UDP }]',
        ),
    );
    expect(t.endpoints('default/web:http/TCP').map((e) => e.endpoint)).toEqual(['10.244.1.1:8080']);
    expect(t.endpoints('default/web:dns/UDP')).toEqual([]);
  });

  it('sorts endpoints by the string ip:port (byte order: "10.0.0.10:80" < "10.0.0.1:80" < "10.0.0.2:80")', () => {
    const t = table(
      svc() +
        slice(
          'a',
          'endpoints: [{ addresses: [10.0.0.2] }, { addresses: [10.0.0.10] }, { addresses: [10.0.0.1] }]\nports: [{ name: http, port: 80, protocol: TCP }]',
        ),
    );
    expect(t.endpoints('default/web:http/TCP').map((e) => e.endpoint)).toEqual(['10.0.0.10:80', '10.0.0.1:80', '10.0.0.2:80']);
  });

  it('reads null conditions as ready, serving, not terminating', () => {
    const t = table(svc() + slice('a', 'endpoints: [{ addresses: [10.0.0.1] }]\nports: [{ name: http, port: 80 }]'));
    const [ep] = t.endpoints('default/web:http/TCP');
    expect([ep?.ready, ep?.serving, ep?.terminating]).toEqual([true, true, false]);
  });

  it('deduplicates ip:port across slices, a non-terminating copy winning', () => {
    // endpointslicecache.go addEndpoints: `!exists || !terminating`.
    const t = table(
      svc() +
        slice('a', 'endpoints: [{ addresses: [10.0.0.1], conditions: { ready: true } }]\nports: [{ name: http, port: 80 }]') +
        slice(
          'b',
          'endpoints: [{ addresses: [10.0.0.1], conditions: { ready: false, terminating: true } }]\nports: [{ name: http, port: 80 }]',
        ),
    );
    const eps = t.endpoints('default/web:http/TCP');
    expect(eps).toHaveLength(1);
    expect(eps[0]?.terminating).toBe(false);
  });

  it('uses only addresses[0] and skips invalid or wrong-family addresses with a warning', () => {
    // Raw objects: API validation would refuse an IPv6 address in an IPv4 slice before kube-proxy saw it.
    const t = ServiceTable.from(
      parseAllDocuments(
        svc() +
          slice(
            'a',
            'endpoints: [{ addresses: [10.0.0.1, 10.0.0.9] }, { addresses: ["fd00::1"] }, { addresses: ["10.0.0.300"] }]\nports: [{ name: http, port: 80 }]',
          ),
      ).map((d) => d.toJSON()),
    );
    expect(t.endpoints('default/web:http/TCP').map((e) => e.ip)).toEqual(['10.0.0.1']);
    expect(t.warnings().some((w) => w.message.includes('10.0.0.300'))).toBe(true);
    expect(t.warnings().some((w) => w.message.includes('fd00::1'))).toBe(true);
  });

  it('ignores slice ports with a nil name', () => {
    const t = table(svc() + slice('a', 'endpoints: [{ addresses: [10.0.0.1] }]\nports: [{ port: 80 }]'));
    expect(t.endpoints('default/web:http/TCP')).toEqual([]);
    expect(t.warnings().some((w) => w.message.includes('nil name'))).toBe(true);
  });

  it('warns about a slice port name no Service port carries', () => {
    const t = table(svc() + slice('a', 'endpoints: [{ addresses: [10.0.0.1] }]\nports: [{ name: web, port: 80 }]'));
    expect(t.warnings().some((w) => w.message.includes('matches no Service port'))).toBe(true);
  });

  it('does not proxy headless, ExternalName or other-proxy Services', () => {
    const t = table(`
apiVersion: v1
kind: Service
metadata: { name: h, namespace: default }
spec: { clusterIP: None, ports: [{ port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: x, namespace: default }
spec: { type: ExternalName, externalName: example.com }
---
apiVersion: v1
kind: Service
metadata: { name: o, namespace: default, labels: { service.kubernetes.io/service-proxy-name: other } }
spec: { clusterIP: 10.96.0.5, ports: [{ port: 80 }] }
`);
    expect(t.servicePorts()).toEqual([]);
  });

  it('reads LB VIPs without ipMode Proxy and trims source ranges', () => {
    const t = table(`
apiVersion: v1
kind: Service
metadata: { name: lb, namespace: default }
spec:
  type: LoadBalancer
  clusterIP: 10.96.0.7
  loadBalancerSourceRanges: [" 203.0.113.0/25 "]
  ports: [{ name: p, port: 80, nodePort: 30080 }]
status: { loadBalancer: { ingress: [{ ip: 1.2.3.4 }, { ip: 5.6.7.8, ipMode: Proxy }, { hostname: lb.example.com }] } }
`);
    const [port] = t.servicePorts();
    expect(port?.loadBalancerVIPs).toEqual(['1.2.3.4']);
    expect(port?.loadBalancerSourceRanges).toEqual(['203.0.113.0/25']);
    expect(port?.externallyAccessible).toBe(true);
  });

  it('serves healthCheckNodePort only for LoadBalancer with externalTrafficPolicy Local', () => {
    const t = table(`
apiVersion: v1
kind: Service
metadata: { name: lb, namespace: default }
spec: { type: LoadBalancer, externalTrafficPolicy: Cluster, healthCheckNodePort: 30000, clusterIP: 10.96.0.7, ports: [{ name: p, port: 80, nodePort: 30080 }] }
`);
    expect(t.servicePorts()[0]?.healthCheckNodePort).toBe(0);
  });

  it('defaults ClientIP affinity timeout to 10800 seconds', () => {
    const t = table(`
apiVersion: v1
kind: Service
metadata: { name: s, namespace: default }
spec: { clusterIP: 10.96.0.8, sessionAffinity: ClientIP, ports: [{ port: 80 }] }
`);
    expect(t.servicePorts()[0]?.sessionAffinity).toEqual({ type: 'ClientIP', timeoutSeconds: 10800 });
    expect(t.servicePorts()[0]?.nameString).toBe('default/s');
  });

  it('refuses two Services claiming one nodePort', () => {
    const two = (name: string, ip: string) => `
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec: { type: NodePort, clusterIP: ${ip}, ports: [{ port: 80, nodePort: 30080 }] }
`;
    expect(() => table(`${two('a', '10.96.0.1')}---${two('b', '10.96.0.2')}`)).toThrow(NodePortConflictError);
  });

  it('recomputes only the touched Service on an update', () => {
    const t = table(svc() + slice('a', 'endpoints: [{ addresses: [10.0.0.1] }]\nports: [{ name: http, port: 80 }]'));
    const key = t.upsertSlice(
      parseManifestsOrThrow(
        slice('a', 'endpoints: [{ addresses: [10.0.0.2] }]\nports: [{ name: http, port: 80 }]'),
      )[0] as EndpointSlice,
    );
    expect(key).toBe('default/web');
    expect(t.endpoints('default/web:http/TCP').map((e) => e.ip)).toEqual(['10.0.0.2']);
    expect(t.totalEndpoints).toBe(1);
  });
});
