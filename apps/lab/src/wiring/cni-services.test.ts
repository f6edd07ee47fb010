// ClusterIPSelection: pod egress to a Service address picks the endpoint the SOURCE node's
// kube-proxy would DNAT to (@kemu/kube-proxy's route), from the lab's informers.
import { createMemoryStore, type EndpointSlice, MemoryBackend, type Store } from '@kemu/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createAll, eventually } from '../../test/helpers.js';
import { InformerFactory } from '../lab/informer.js';
import { ClusterIPSelection, type ClusterIPSelectionOptions } from './cni-services.js';

const nodes = `
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {topology.kubernetes.io/zone: zone-a}}
---
apiVersion: v1
kind: Node
metadata: {name: n2, labels: {topology.kubernetes.io/zone: zone-b}}
---
apiVersion: v1
kind: Node
metadata: {name: n3, labels: {topology.kubernetes.io/zone: zone-b}}
`;

/** A Service `name` on ClusterIP `ip`, port 80 → targetPort 8080, with extra spec lines. */
const service = (name: string, ip: string, spec = '') => `
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  clusterIP: ${ip}
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: 8080}]
${spec}`;

/** One endpoint line of an EndpointSlice. */
const endpoint = (ip: string, node: string, extra = 'conditions: {ready: true}') =>
  `  - {addresses: ["${ip}"], nodeName: ${node}, ${extra}}`;

/** The EndpointSlice of Service `name` with these endpoint lines. */
const slice = (name: string, endpoints: string[]) => `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-abc, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
${endpoints.join('\n')}
`;

/** UDP Service `dns` on 10.96.0.53:53 → 5353. */
const dnsService = `apiVersion: v1
kind: Service
metadata: {name: dns}
spec:
  clusterIP: 10.96.0.53
  ports: [{name: dns, port: 53, targetPort: 5353, protocol: UDP}]
`;

/** The EndpointSlice of `dns` with these endpoint lines. */
const dnsSlice = (endpoints: string[]) => `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: dns-abc, labels: {kubernetes.io/service-name: dns}}
addressType: IPv4
ports: [{name: dns, port: 5353, protocol: UDP}]
endpoints:
${endpoints.join('\n')}
`;

const dns53 = { ip: '10.96.0.53', port: 53, protocol: 'UDP' as const };

let store: Store | undefined;
let informers: InformerFactory | undefined;
afterEach(async () => {
  await informers?.close();
  store?.close();
  informers = undefined;
  store = undefined;
});

/** A selection over an informer factory on a memory store holding `yaml` (and the three nodes). */
async function selectionOf(yaml: string, options: ClusterIPSelectionOptions = {}): Promise<ClusterIPSelection> {
  store = createMemoryStore({ backend: new MemoryBackend() });
  await createAll(store, `${nodes}\n---\n${yaml}`);
  informers = new InformerFactory(store);
  const selection = new ClusterIPSelection(informers, options);
  await informers.start();
  return selection;
}

const http80 = { ip: '10.96.0.10', port: 80, protocol: 'TCP' as const };
const from = (node: string, ip = '10.244.1.5', port = 40000) => ({ ip, port, node });

/** The endpoint IPs `node`'s resolver picks for `tries` connections from distinct client IPs. */
function picks(selection: ClusterIPSelection, node: string, tries = 40): Set<string> {
  const resolve = selection.resolverFor(node);
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) {
    const r = resolve(http80, from(node, `10.244.9.${i + 2}`, 40000 + i));
    if (r && 'ip' in r) seen.add(r.ip);
  }
  return seen;
}

describe('ClusterIPSelection', () => {
  it('DNATs a ClusterIP to an endpoint IP and the EndpointSlice (target) port', async () => {
    const selection = await selectionOf(`${service('web', '10.96.0.10')}\n---\n${slice('web', [endpoint('10.244.1.2', 'n1')])}`);
    expect(selection.resolverFor('n1')(http80, from('n1'))).toEqual({ ip: '10.244.1.2', port: 8080 });
  });

  it('leaves addresses that are no Service alone', async () => {
    const selection = await selectionOf(`${service('web', '10.96.0.10')}\n---\n${slice('web', [endpoint('10.244.1.2', 'n1')])}`);
    expect(selection.resolverFor('n1')({ ip: '10.244.1.2', port: 8080, protocol: 'TCP' }, from('n1'))).toBeUndefined();
  });

  it('fails a ClusterIP on a port or protocol its Service does not serve, naming the ports it does', async () => {
    // nftables mode rejects unknown ports of a ClusterIP (the `cluster-ips` set, pkg/proxy/nftables/proxier.go);
    // iptables mode has no rule for them, so no pod is ever reached.
    const selection = await selectionOf(`${service('web', '10.96.0.10')}\n---\n${slice('web', [endpoint('10.244.1.2', 'n1')])}`);
    const resolve = selection.resolverFor('n1');
    expect(resolve({ ...http80, port: 81 }, from('n1'))).toEqual({
      reject:
        'ClusterIP 10.96.0.10 of Service default/web has no port 81/TCP (it serves 80/TCP); no kube-proxy (iptables) rule matches it: in a cluster it goes unanswered',
    });
    expect(resolve({ ...http80, protocol: 'UDP' }, from('n1'))).toMatchObject({
      reject: expect.stringContaining('no port 80/UDP'),
    });
    const nftables = await selectionOf(`${service('web', '10.96.0.10')}`, { mode: 'nftables' });
    expect(nftables.resolverFor('n1')({ ...http80, port: 81 }, from('n1'))).toMatchObject({
      reject: expect.stringContaining('kube-proxy (nftables) rejects unknown ports of a ClusterIP'),
    });
  });

  it('spreads connections over every ready endpoint with the iptables picker', async () => {
    // pkg/proxy/iptables/proxier.go writeServiceToEndpointRules: rule i of n matches with
    // probability 1/(n-i), so every endpoint gets traffic.
    const three = ['10.244.1.2', '10.244.2.2', '10.244.3.2'];
    const selection = await selectionOf(
      `${service('web', '10.96.0.10')}\n---\n${slice(
        'web',
        three.map((ip, i) => endpoint(ip, `n${i + 1}`)),
      )}`,
    );
    expect([...picks(selection, 'n1', 60)].sort()).toEqual(three);
  });

  it('sends a client to the same endpoint while ClientIP affinity holds, and load-balances again after the timeout', async () => {
    // pkg/proxy/iptables/proxier.go: `-m recent --name KUBE-SEP-… --rcheck --seconds <timeoutSeconds>
    // --reap` before the probability rules, `--set` in the SEP chain (TestSessionAffinity*).
    let now = 1000;
    const three = ['10.244.1.2', '10.244.2.2', '10.244.3.2'];
    const selection = await selectionOf(
      `${service('web', '10.96.0.10', '  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}')}
---
${slice(
  'web',
  three.map((ip, i) => endpoint(ip, `n${i + 1}`)),
)}`,
      { now: () => now },
    );
    const resolve = selection.resolverFor('n1');
    const first = resolve(http80, from('n1', '10.244.1.5', 40000));
    for (let i = 1; i < 20; i++) {
      now += 30; // each connection refreshes the entry (`--set`), so it never expires
      expect(resolve(http80, from('n1', '10.244.1.5', 40000 + i))).toEqual(first);
    }
    expect(selection.select('n1', http80, from('n1'))?.reasons.map((r) => r.code)).toContain('affinity-hit');
    now += 61;
    expect(selection.select('n1', http80, from('n1'))?.reasons.map((r) => r.code)).toContain('affinity-miss');
    // Other clients are not bound by this client's entry: they still reach every endpoint.
    expect(picks(selection, 'n1', 60).size).toBe(3);
  });

  it('with internalTrafficPolicy Local, picks only endpoints on the source node', async () => {
    // pkg/proxy/topology.go CategorizeEndpoints: localEndpoints = endpoints whose nodeName is this
    // node (endpointslicecache.go isLocal); the KUBE-SVL chain holds only those.
    const selection = await selectionOf(
      `${service('web', '10.96.0.10', '  internalTrafficPolicy: Local')}
---
${slice('web', [endpoint('10.244.1.2', 'n1'), endpoint('10.244.2.2', 'n2'), endpoint('10.244.2.3', 'n2')])}`,
    );
    expect([...picks(selection, 'n1')]).toEqual(['10.244.1.2']);
    expect([...picks(selection, 'n2')].sort()).toEqual(['10.244.2.2', '10.244.2.3']);
  });

  it('never sends an internalTrafficPolicy Local connection off the source node (property)', async () => {
    // pkg/proxy/topology.go CategorizeEndpoints: with the Local policy only this node's endpoints
    // are used, terminating ones only when none is ready; with none at all the Service is dropped.
    const placement = fc.array(
      fc.record({
        node: fc.constantFrom('n1', 'n2', 'n3'),
        ready: fc.boolean(),
        serving: fc.boolean(),
      }),
      { maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(placement, fc.constantFrom('n1', 'n2', 'n3'), async (eps, source) => {
        const lines = eps.map((e, i) =>
          endpoint(
            `10.244.7.${i + 2}`,
            e.node,
            `conditions: {ready: ${e.ready && e.serving}, serving: ${e.serving}, terminating: ${!e.ready}}`,
          ),
        );
        const selection = await selectionOf(
          `${service('web', '10.96.0.10', '  internalTrafficPolicy: Local')}${lines.length ? `\n---\n${slice('web', lines)}` : ''}`,
        );
        const local = eps.flatMap((e, i) => (e.node === source && e.serving ? [{ ...e, ip: `10.244.7.${i + 2}` }] : []));
        const usable = local.some((e) => e.ready) ? local.filter((e) => e.ready) : local;
        for (let i = 0; i < 8; i++) {
          const answer = selection.resolverFor(source)(http80, from(source, `10.244.9.${i + 2}`));
          if (usable.length === 0) expect(answer).toHaveProperty('reject');
          else expect(usable.map((e) => e.ip)).toContain(answer && 'ip' in answer ? answer.ip : undefined);
        }
        await informers?.close();
        store?.close();
      }),
      { numRuns: 40 },
    );
  });

  it('with internalTrafficPolicy Local and no endpoint on the source node, rejects: "has no local endpoints"', async () => {
    // pkg/proxy/iptables/proxier.go: internalTrafficFilterTarget = "DROP",
    // comment `"%s has no local endpoints"` when the Local policy leaves no endpoint on this node.
    const selection = await selectionOf(
      `${service('web', '10.96.0.10', '  internalTrafficPolicy: Local')}\n---\n${slice('web', [endpoint('10.244.1.2', 'n1')])}`,
    );
    const answer = selection.resolverFor('n3')(http80, from('n3'));
    expect(answer).toEqual({ reject: expect.stringContaining('service default/web:http has no local endpoints') });
    expect(answer && 'reject' in answer && answer.reject).toContain('node n3');
    expect(selection.select('n3', http80, from('n3'))?.verdict).toBe('DROP');
  });

  it('rejects a Service without any usable endpoint: "has no endpoints"', async () => {
    // pkg/proxy/iptables/proxier.go: `"%s has no endpoints"` -j REJECT in KUBE-SERVICES' filter.
    const selection = await selectionOf(
      `${service('web', '10.96.0.10')}\n---\n${slice('web', [endpoint('10.244.1.2', 'n1', 'conditions: {ready: false, serving: false}')])}`,
    );
    expect(selection.resolverFor('n1')(http80, from('n1'))).toEqual({
      reject: expect.stringContaining('service default/web:http has no endpoints'),
    });
    expect(selection.select('n1', http80, from('n1'))?.verdict).toBe('REJECT');
  });

  it('with PreferClose zone hints, picks endpoints hinted for the source node’s zone', async () => {
    // pkg/proxy/topology.go topologyModeFromHints + CategorizeEndpoints: when every ready endpoint
    // has zone hints and one is for this node's topology.kubernetes.io/zone, only those are used.
    const hinted = (ip: string, node: string, zone: string) =>
      endpoint(ip, node, `zone: ${zone}, conditions: {ready: true}, hints: {forZones: [{name: ${zone}}]}`);
    const selection = await selectionOf(
      `${service('web', '10.96.0.10', '  trafficDistribution: PreferClose')}
---
${slice('web', [hinted('10.244.1.2', 'n1', 'zone-a'), hinted('10.244.1.3', 'n1', 'zone-a'), hinted('10.244.2.2', 'n2', 'zone-b')])}`,
    );
    expect([...picks(selection, 'n1')].sort()).toEqual(['10.244.1.2', '10.244.1.3']);
    // n3 has no endpoint of its own but is in zone-b: it gets zone-b's endpoint on n2.
    expect([...picks(selection, 'n3')]).toEqual(['10.244.2.2']);
    expect(selection.select('n3', http80, from('n3'))?.reasons.map((r) => r.code)).toContain('topology-same-zone');
  });

  it('falls back to serving terminating endpoints when none is ready, never to non-serving ones', async () => {
    // pkg/proxy/topology.go CategorizeEndpoints: with no ready endpoint, endpoints that are
    // serving and terminating are used (KEP-1669 ProxyTerminatingEndpoints).
    const selection = await selectionOf(
      `${service('web', '10.96.0.10')}
---
${slice('web', [
  endpoint('10.244.1.2', 'n1', 'conditions: {ready: false, serving: true, terminating: true}'),
  endpoint('10.244.2.2', 'n2', 'conditions: {ready: false, serving: false, terminating: true}'),
])}`,
    );
    expect([...picks(selection, 'n2')]).toEqual(['10.244.1.2']);
    expect(selection.select('n2', http80, from('n2'))?.reasons.map((r) => r.code)).toContain('terminating-fallback');
  });

  it('keeps a UDP flow on the endpoint its first datagram got, and re-picks once that endpoint is gone', async () => {
    // Only a flow's first packet traverses the nat table; conntrack DNATs the rest the same way
    // until nf_conntrack_udp_timeout (30 s) of idleness, and kube-proxy deletes the entries of
    // removed endpoints (pkg/proxy/conntrack/cleanup.go).
    let now = 0;
    const three = ['10.244.1.2', '10.244.2.2', '10.244.3.2'].map((ip, i) => endpoint(ip, `n${i + 1}`));
    const selection = await selectionOf(`${dnsService}---\n${dnsSlice(three)}`, { now: () => now });
    const resolve = selection.resolverFor('n1');
    const first = resolve(dns53, from('n1', '10.244.1.5', 5000));
    for (let i = 0; i < 20; i++) {
      now += 20;
      expect(resolve(dns53, from('n1', '10.244.1.5', 5000))).toEqual(first);
    }
    // New flows (other source ports) meet the rules again and spread.
    const spread = new Set<string>();
    for (let p = 6000; p < 6060; p++) {
      const r = resolve(dns53, from('n1', '10.244.1.5', p));
      if (r && 'ip' in r) spread.add(r.ip);
    }
    expect(spread.size).toBe(3);
    const chosen = first && 'ip' in first ? first.ip : '';
    const current = await store!.get<EndpointSlice>({ kind: 'EndpointSlice', namespace: 'default', name: 'dns-abc' });
    await store!.update<EndpointSlice>({ ...current!, endpoints: current!.endpoints.filter((e) => e.addresses[0] !== chosen) });
    await eventually(() => {
      const r = resolve(dns53, from('n1', '10.244.1.5', 5000));
      return r && 'ip' in r && r.ip !== chosen;
    });
  });

  it('re-picks a UDP flow on its next datagram once its endpoint stops serving, though still listed', async () => {
    // pkg/proxy/conntrack/cleanup.go with detectStaleConntrackEntries: an endpoint that goes from
    // serving to not serving has its UDP entries deleted like a removed one (kubernetes#106163).
    const selection = await selectionOf(`${dnsService}---\n${dnsSlice([endpoint('10.244.1.2', 'n1')])}`);
    const resolve = selection.resolverFor('n1');
    expect(resolve(dns53, from('n1', '10.244.1.5', 5000))).toEqual({ ip: '10.244.1.2', port: 5353 });
    const current = await store!.get<EndpointSlice>({ kind: 'EndpointSlice', namespace: 'default', name: 'dns-abc' });
    await store!.update<EndpointSlice>({
      ...current!,
      endpoints: [
        { addresses: ['10.244.1.2'], nodeName: 'n1', conditions: { ready: false, serving: false, terminating: false } },
        { addresses: ['10.244.2.2'], nodeName: 'n2', conditions: { ready: true } },
      ],
    });
    // A new flow (another source port) sees the change once the informer has it; the old flow's
    // very next datagram goes the same way.
    await eventually(() => {
      const r = resolve(dns53, from('n1', '10.244.1.5', 6000));
      return r && 'ip' in r && r.ip === '10.244.2.2';
    });
    expect(resolve(dns53, from('n1', '10.244.1.5', 5000))).toEqual({ ip: '10.244.2.2', port: 5353 });
  });

  it('follows EndpointSlice and Service changes from the informers', async () => {
    const selection = await selectionOf(`${service('web', '10.96.0.10')}\n---\n${slice('web', [endpoint('10.244.1.2', 'n1')])}`);
    const resolve = selection.resolverFor('n1');
    const current = await store!.get<EndpointSlice>({ kind: 'EndpointSlice', namespace: 'default', name: 'web-abc' });
    await store!.update<EndpointSlice>({
      ...current!,
      endpoints: [{ addresses: ['10.244.3.9'], nodeName: 'n3', conditions: { ready: true } }],
    });
    await eventually(() => {
      const r = resolve(http80, from('n1'));
      return r && 'ip' in r && r.ip === '10.244.3.9' && r.port === 8080;
    });
    await store!.delete({ kind: 'Service', namespace: 'default', name: 'web' });
    await eventually(() => resolve(http80, from('n1')) === undefined);
  });
});
