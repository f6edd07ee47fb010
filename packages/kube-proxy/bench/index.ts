// kube-proxy benchmarks: each figure is printed beside its target or the peer measured in the
// same run (ratio). Bounded in time; asserts nothing. Run: pnpm --filter @kemu/kube-proxy bench
import type { EndpointSlice, KubernetesObject, Service } from '@kemu/core';
import { flowHash, IPTablesPicker, MaglevTable, Proxier } from '../src/index.js';
import { proxyBench } from './proxy-bench.js';

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const row = (name: string, value: string, peer: string, ratio: string) =>
  console.log(`${name.padEnd(44)} ${value.padStart(16)}   ${peer.padStart(22)}   ${ratio}`);

function cluster(services: number, perService: number): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (let s = 0; s < services; s++) {
    const name = `svc${s}`;
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: `ns${s % 50}` },
      spec: { clusterIP: `10.96.${s >> 8}.${s & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    } as Service);
    objects.push(slice(`ns${s % 50}`, name, s, perService, 0));
  }
  return objects;
}

function slice(namespace: string, name: string, s: number, n: number, variant: number): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-abc`, namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: Array.from({ length: n }, (_, i) => ({
      addresses: [`10.${(s >> 8) & 255}.${s & 255}.${i + 1 + variant}`],
      nodeName: `node-${i % 5}`,
    })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

function renderBench(): Proxier {
  const objects = cluster(10_000, 10);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const proxier = Proxier.from(objects, { nodeName: 'node-0', clusterCIDR: '10.0.0.0/8' });
  const t1 = performance.now();
  const ruleset = proxier.iptables();
  const t2 = performance.now();
  const heapAfter = process.memoryUsage().heapUsed;
  const total = t2 - t0;
  row(
    'full render 10k Services × 10 endpoints',
    `${total.toFixed(0)} ms`,
    'target < 1000 ms',
    `${(total / 1000).toFixed(2)}× of target`,
  );
  row('  of which table + fragments', `${(t1 - t0).toFixed(0)} ms`, 'assemble text', `${(t2 - t1).toFixed(0)} ms`);
  row(
    '  nat rules / text size',
    `${ruleset.natRules}`,
    `${mb(ruleset.text.length)} text`,
    'upstream formula 5 + Σ(2+3E) = 320005',
  );
  row(
    '  heap growth (table + rules + text)',
    mb(heapAfter - heapBefore),
    'target < 500 MB',
    `${((heapAfter - heapBefore) / (500 * 1024 * 1024)).toFixed(2)}× of target`,
  );
  row('  rss', mb(process.memoryUsage().rss), '', '');
  const n0 = performance.now();
  const nft = proxier.nftables();
  row(
    'full nftables render (same cluster)',
    `${(performance.now() - n0).toFixed(0)} ms`,
    `${mb(nft.length)} text`,
    'upstream: ~9 min for 10k×2 before partial sync',
  );
  return proxier;
}

function incrementalBench(proxier: Proxier): void {
  const iterations = 500;
  const t0 = performance.now();
  let changed = 0;
  for (let i = 0; i < iterations; i++) {
    const s = (i * 37) % 10_000;
    const result = proxier.apply({ type: 'upsert', object: slice(`ns${s % 50}`, `svc${s}`, s, 10, (i % 2) + 1) });
    changed += result.changedChains.length;
  }
  const per = (performance.now() - t0) / iterations;
  proxier.syncIPTables();
  proxier.apply({ type: 'upsert', object: slice('ns7', 'svc7', 7, 10, 3) });
  const p0 = performance.now();
  const partial = proxier.syncIPTables();
  const partialMs = performance.now() - p0;
  row(
    'incremental: one endpoint change in 10k',
    `${(per * 1000).toFixed(0)} µs`,
    'target < 1000 µs',
    `${per.toFixed(3)}× of target`,
  );
  row(
    '  partial iptables-restore text (next sync)',
    `${partialMs.toFixed(0)} ms`,
    `${partial.natRules} nat rules`,
    'top-level chains + changed Service only',
  );
  row(
    '  chains reported changed per sync',
    `${(changed / iterations).toFixed(1)}`,
    'upstream nft: 141 ms',
    `${(141 / per).toFixed(0)}× faster than that`,
  );
}

function selectionBench(): void {
  const picks = 20_000_000;
  const picker = new IPTablesPicker(10);
  const random = Math.random;
  let sink = 0;
  let t0 = performance.now();
  for (let i = 0; i < picks; i++) sink += picker.pick(random);
  const iptMs = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < picks; i++) sink += Math.floor(random() * 10);
  const baseMs = performance.now() - t0;
  row(
    'iptables-mode picks/s (10 endpoints)',
    `${(((picks / iptMs) * 1000) / 1e6).toFixed(1)} M/s`,
    `1 Math.random: ${(((picks / baseMs) * 1000) / 1e6).toFixed(1)} M/s`,
    `target ≥ 10 M/s (${(((picks / iptMs) * 1000) / 1e7).toFixed(1)}×)`,
  );
  const backends = Array.from({ length: 100 }, (_, i) => `10.1.0.${i}:80`);
  t0 = performance.now();
  const table = MaglevTable.build(backends, 16381);
  const buildMs = performance.now() - t0;
  const hashes = new Uint32Array(1 << 16);
  for (let i = 0; i < hashes.length; i++)
    hashes[i] = flowHash(`10.0.${i >> 8}.${i & 255}`, 40000 + (i & 1023), '10.96.0.1:80', 'TCP');
  t0 = performance.now();
  for (let i = 0; i < picks; i++) sink += table.lookupIndex(hashes[i & 0xffff] as number);
  const magMs = performance.now() - t0;
  const plain = new Int32Array(16381);
  t0 = performance.now();
  for (let i = 0; i < picks; i++) sink += plain[(hashes[i & 0xffff] as number) % 16381] as number;
  const plainMs = performance.now() - t0;
  row(
    'Maglev lookups/s (M=16381, 100 backends)',
    `${(((picks / magMs) * 1000) / 1e6).toFixed(1)} M/s`,
    `plain array: ${(((picks / plainMs) * 1000) / 1e6).toFixed(1)} M/s`,
    `target ≥ 10 M/s (${(((picks / magMs) * 1000) / 1e7).toFixed(1)}×)`,
  );
  row('  Maglev table build', `${buildMs.toFixed(1)} ms`, '', '');
  if (sink === -1) console.log(sink);
}

console.log(`@kemu/kube-proxy benchmarks — node ${process.version}, ${process.platform}/${process.arch}`);
row('benchmark', 'measured', 'peer / target', 'ratio');
const proxier = renderBench();
incrementalBench(proxier);
selectionBench();
await proxyBench(row, slice);
