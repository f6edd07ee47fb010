// Closed-loop HTTP load on its own thread (so the client does not share the lab's event loop):
// `concurrency` loops on one undici keep-alive pool, each sending the next request on the last answer.
// Plain JavaScript so the worker starts without a TypeScript loader. Posts the figures back.
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

const { origin, headers, path, concurrency, durationMs } = workerData;
const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
const latencies = [];
let errors = 0;
const started = performance.now();
const stopAt = started + durationMs;

async function loop() {
  while (performance.now() < stopAt) {
    const sent = performance.now();
    try {
      const response = await pool.request({ method: 'GET', path, headers });
      await response.body.dump();
      if (response.statusCode === 200) latencies.push(performance.now() - sent);
      else errors += 1;
    } catch {
      errors += 1;
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, loop));
const elapsed = performance.now() - started;
await pool.close();
const sorted = Float64Array.from(latencies).sort();
const at = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN);
parentPort.postMessage({
  requests: sorted.length,
  errors,
  perSecond: (sorted.length / elapsed) * 1000,
  p50Ms: at(50),
  p99Ms: at(99),
});
