// Only the router benchmarks (compile, heap, match/s, path table), without the proxy:
// pnpm --filter @kemu/ingress bench:router [hosts]
import { routerBench } from './router-bench.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const r = routerBench(Number(process.argv[2] ?? 100_000));
console.log(`node ${process.version}, ${new Date().toISOString()}`);
console.log(`compile ${fmt(r.hosts)} hosts × 3 paths: ${r.compileMs.toFixed(0)} ms (target < 2000 ms)`);
console.log(`router heap: ${r.heapMB.toFixed(0)} MB (target < 300 MB)`);
console.log(`match(), hosts uniformly random: ${fmt(r.matchesPerSecond)}/s (target ≥ 1,000,000/s)`);
console.log(
  `path table ${r.pathRules} Prefix rules: SegmentTrie ${fmt(r.trieLookups)}/s, find-my-way ${fmt(r.findMyWayLookups)}/s`,
);
