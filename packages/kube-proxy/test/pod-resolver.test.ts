// A pod's resolver against the cluster DNS model: the kubelet's ClusterFirst resolv.conf
// (pkg/kubelet/network/dns/dns.go: search <ns>.svc.cluster.local svc.cluster.local cluster.local,
// ndots:5) over CoreDNS kubernetes-plugin answers, as the Kubernetes "DNS for Services and Pods"
// page describes them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterDns, resolvePodName, ServiceTable } from '../src/index.js';
import { yaml } from './fixtures.js';

const objects = yaml(`
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { clusterIP: 10.96.0.20, clusterIPs: [10.96.0.20, fd00::20], ipFamilies: [IPv4, IPv6], ports: [{ port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: shop }
spec: { clusterIP: None, ports: [{ name: pg, port: 5432 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: db-1, namespace: shop, labels: { kubernetes.io/service-name: db } }
addressType: IPv4
endpoints:
  - { addresses: [10.244.3.7], hostname: db-2, conditions: { ready: false } }
  - { addresses: [10.244.1.5], hostname: db-0 }
  - { addresses: [10.244.2.6], hostname: db-1 }
ports: [{ name: pg, port: 5432 }]
---
apiVersion: v1
kind: Service
metadata: { name: empty, namespace: shop }
spec: { clusterIP: None, ports: [{ port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: ext, namespace: shop }
spec: { type: ExternalName, externalName: example.com }
---
apiVersion: v1
kind: Service
metadata: { name: alias, namespace: shop }
spec: { type: ExternalName, externalName: web.shop.svc.cluster.local }
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: other }
spec: { clusterIP: 10.96.0.30, ports: [{ port: 80 }] }
`);
const dns = new ClusterDns(ServiceTable.from(objects));

describe('resolvePodName', () => {
  it('resolves a short name to the Service of that name in the pod’s own namespace', () => {
    // "DNS for Services and Pods": a query for `data` from namespace `test` is for data.test.
    expect(resolvePodName(dns, 'web', 'shop')).toEqual({
      kind: 'address',
      ip: '10.96.0.20',
      name: 'web.shop.svc.cluster.local',
    });
  });

  it('does not resolve a short name to a Service of another namespace', () => {
    expect(resolvePodName(dns, 'api', 'shop')).toMatchObject({ kind: 'nxdomain' });
  });

  it('resolves svc.ns from any namespace through the svc.cluster.local search domain', () => {
    expect(resolvePodName(dns, 'api.other', 'shop')).toEqual({
      kind: 'address',
      ip: '10.96.0.30',
      name: 'api.other.svc.cluster.local',
    });
    expect(resolvePodName(dns, 'api.other.svc', 'shop')).toMatchObject({ ip: '10.96.0.30', name: 'api.other.svc.cluster.local' });
  });

  it('tries a fully qualified name with a trailing dot as given and nothing else', () => {
    // resolv.conf(5): a name ending in a dot is absolute; the search list is not applied.
    expect(resolvePodName(dns, 'web.shop.svc.cluster.local.', 'other')).toMatchObject({ ip: '10.96.0.20' });
    expect(resolvePodName(dns, 'nope.shop.svc.cluster.local.', 'other')).toEqual({
      kind: 'nxdomain',
      tried: ['nope.shop.svc.cluster.local'],
    });
  });

  it('tries a name with fewer than 5 dots after the search domains, one with 5 or more before them', () => {
    // resolv.conf(5) ndots:n: a name with at least n dots is tried as absolute first.
    const four = resolvePodName(dns, 'nope.shop.svc.cluster.local', 'shop');
    expect(four).toMatchObject({ kind: 'nxdomain' });
    expect(four.kind === 'nxdomain' && four.tried).toEqual([
      'nope.shop.svc.cluster.local.shop.svc.cluster.local',
      'nope.shop.svc.cluster.local.svc.cluster.local',
      'nope.shop.svc.cluster.local.cluster.local',
      'nope.shop.svc.cluster.local',
    ]);
    const five = resolvePodName(dns, 'x.nope.shop.svc.cluster.local', 'shop');
    expect(five.kind === 'nxdomain' && five.tried[0]).toBe('x.nope.shop.svc.cluster.local');
    expect(resolvePodName(dns, 'web.shop.svc.cluster.local', 'shop')).toMatchObject({ name: 'web.shop.svc.cluster.local' });
  });

  it('resolves a headless Service to a ready endpoint’s pod IP', () => {
    // "DNS for Services and Pods": a headless Service's A records are its ready endpoints' IPs.
    expect(resolvePodName(dns, 'db', 'shop')).toMatchObject({ kind: 'address', ip: '10.244.1.5' });
  });

  it('takes the record the pick names among a headless Service’s ready endpoints, never a not-ready one', () => {
    // kubeadm's Corefile `loadbalance` plugin shuffles the A records; the client takes the first.
    const picked = [0, 1, 5].map((n) => resolvePodName(dns, 'db', 'shop', { pick: () => n }));
    expect(picked.map((r) => r.kind === 'address' && r.ip)).toEqual(['10.244.1.5', '10.244.2.6', '10.244.2.6']);
    const counts: number[] = [];
    resolvePodName(dns, 'db', 'shop', {
      pick: (n) => {
        counts.push(n);
        return 0;
      },
    });
    expect(counts).toEqual([2]);
  });

  it('resolves a StatefulSet pod’s hostname under its headless Service', () => {
    // hostname.subdomain.ns.svc.cluster.local, the EndpointSlice endpoint's hostname.
    expect(resolvePodName(dns, 'db-1.db', 'shop')).toEqual({
      kind: 'address',
      ip: '10.244.2.6',
      name: 'db-1.db.shop.svc.cluster.local',
    });
    expect(resolvePodName(dns, 'db-2.db.shop', 'other')).toMatchObject({ kind: 'nxdomain' });
  });

  it('resolves a pod’s dashed-IP name (CoreDNS `pods insecure`)', () => {
    expect(resolvePodName(dns, '10-244-1-5.shop.pod', 'other')).toMatchObject({ ip: '10.244.1.5' });
  });

  it('prefers the pod’s address family on a dual-stack Service', () => {
    expect(resolvePodName(dns, 'web.shop', 'other', { family: 'IPv6' })).toMatchObject({ ip: 'fd00::20' });
    expect(resolvePodName(dns, 'web.shop', 'other', { family: 'IPv4' })).toMatchObject({ ip: '10.96.0.20' });
  });

  it('answers NXDOMAIN with every name tried for a Service that does not exist', () => {
    expect(resolvePodName(dns, 'nope', 'shop')).toEqual({
      kind: 'nxdomain',
      tried: ['nope.shop.svc.cluster.local', 'nope.svc.cluster.local', 'nope.cluster.local', 'nope'],
    });
  });

  it('answers NXDOMAIN for a name outside the cluster zone (no upstream off loopback)', () => {
    expect(resolvePodName(dns, 'example.com', 'shop')).toMatchObject({ kind: 'nxdomain' });
  });

  it('reports the name that exists without an address: a headless Service with no ready endpoint', () => {
    expect(resolvePodName(dns, 'empty', 'shop')).toMatchObject({ kind: 'nxdomain', noData: 'empty.shop.svc.cluster.local' });
  });

  it('reports an ExternalName Service as a name outside the cluster', () => {
    // "DNS for Services and Pods": an ExternalName Service is a CNAME to its externalName.
    expect(resolvePodName(dns, 'ext', 'shop')).toEqual({
      kind: 'external',
      name: 'ext.shop.svc.cluster.local',
      externalName: 'example.com',
    });
  });

  it('follows an ExternalName whose target is in the cluster zone, as CoreDNS does', () => {
    // coredns plugin/backend_lookup.go A(): a CNAME target inside the zone is looked up there.
    expect(resolvePodName(dns, 'alias', 'shop')).toEqual({
      kind: 'address',
      ip: '10.96.0.20',
      name: 'alias.shop.svc.cluster.local',
      canonical: 'web.shop.svc.cluster.local',
    });
  });

  it('resolves names case-insensitively', () => {
    // RFC 4343: DNS name comparisons are case-insensitive.
    expect(resolvePodName(dns, 'WEB.Shop', 'other')).toMatchObject({ ip: '10.96.0.20' });
  });

  it('gives the same address for svc in its namespace, svc.ns anywhere and the FQDN', () => {
    const names = fc.constantFrom('web', 'db', 'db-0.db', 'db-1.db');
    fc.assert(
      fc.property(names, fc.constantFrom('shop', 'other', 'default'), (short, from) => {
        const own = resolvePodName(dns, short, 'shop');
        expect(resolvePodName(dns, `${short}.shop`, from)).toMatchObject({ ip: own.kind === 'address' ? own.ip : '' });
        expect(resolvePodName(dns, `${short}.shop.svc.cluster.local.`, from)).toMatchObject({
          ip: own.kind === 'address' ? own.ip : '',
        });
      }),
    );
  });
});
