// CPU profile of the match() loop alone (compilation excluded), for chrome://inspect or speedscope:
// tsx --expose-gc bench/profile-match.ts [out.cpuprofile] [hosts]
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { routerMatchSetup } from './router-bench.js';

const { router, requests } = routerMatchSetup(Number(process.argv[3] ?? 100_000));
const next = (n: number) => requests[n % requests.length] as (typeof requests)[number];
for (let i = 0; i < 400_000; i++) router.match(next(i));
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
const t0 = performance.now();
let n = 0;
while (performance.now() - t0 < 4000) for (let i = 0; i < 10_000; i++) router.match(next(n++));
const { profile } = await session.post('Profiler.stop');
console.log(`${Math.round(n / ((performance.now() - t0) / 1000)).toLocaleString('en-US')} matches/s while profiled`);
writeFileSync(process.argv[2] ?? 'match.cpuprofile', JSON.stringify(profile));
