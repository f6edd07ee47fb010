// @kemu/ingress benchmarks: figures printed beside their peer measured in the same run (ratio).
// Bounded in time (about a minute in all); asserts nothing. Run: pnpm --filter @kemu/ingress bench
import { proxyBench } from './proxy-bench.js';
import { routerBench } from './router-bench.js';

const row = (name: string, value: string, peer: string, ratio: string) =>
  console.log(`${name.padEnd(46)} ${value.padStart(16)}   ${peer.padStart(26)}   ${ratio}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(`node ${process.version}, ${new Date().toISOString()}`);
console.log('\nRouter (ingress-nginx semantics, full answers incl. Service endpoints)');
const r = routerBench(100_000);
row(
  `compile ${fmt(r.hosts)} hosts × 3 paths`,
  `${r.compileMs.toFixed(0)} ms`,
  'target < 2000 ms',
  `${(r.compileMs / 2000).toFixed(2)}× of budget`,
);
row('router heap', `${r.heapMB.toFixed(0)} MB`, 'target < 300 MB', `${(r.heapMB / 300).toFixed(2)}× of budget`);
row(
  'match(), hosts uniformly random',
  `${fmt(r.matchesPerSecond)}/s`,
  'target ≥ 1,000,000/s',
  `${(r.matchesPerSecond / 1e6).toFixed(2)}×`,
);
row(
  `path table ${r.pathRules} Prefix rules: SegmentTrie`,
  `${fmt(r.trieLookups)}/s`,
  `find-my-way ${fmt(r.findMyWayLookups)}/s`,
  `${(r.trieLookups / r.findMyWayLookups).toFixed(2)}× find-my-way`,
);

console.log(
  '\nProxy (wrk -t1 -c50 -d5s after 2 s warm-up, GET /a/b, backend = node http answering "ok", same 2 vCPUs; proxies: best of 2 interleaved rounds)',
);
const { figures, notes } = await proxyBench(5);
for (const note of notes) console.log(`  note: ${note}`);
const by = (prefix: string) => figures.find((f) => f.name.startsWith(prefix));
const backend = by('backend');
const nginx = by('nginx');
const fhp = by('@fastify');
for (const f of figures) {
  const ratios = [
    backend ? `${(f.requestsPerSecond / backend.requestsPerSecond).toFixed(2)}× backend` : '',
    nginx ? `${(f.requestsPerSecond / nginx.requestsPerSecond).toFixed(2)}× nginx` : '',
    fhp ? `${(f.requestsPerSecond / fhp.requestsPerSecond).toFixed(2)}× @fastify/http-proxy` : '',
  ].filter(Boolean);
  row(f.name, `${fmt(f.requestsPerSecond)} req/s`, `p99 ${f.p99ms.toFixed(2)} ms`, ratios.join(', '));
}
process.exit(0);
