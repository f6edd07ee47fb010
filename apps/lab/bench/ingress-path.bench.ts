// Requests/s and latency host → ingress → service → overlay → pod, against the same request sent to the pod
// directly, in one run (issue 7). The lab and the load generator share this process (echo pods run
// in-process too) but the client runs on a worker thread, its own event loop; wrk, when installed,
// measures from outside the process as a second view.

import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { type Pod, parseManifestsOrThrow } from '@kemu/core';
import { startFullLab } from '../src/wiring/full-lab.js';
import { echoDeployment } from './manifests.js';

const concurrency = 32;
const durationMs = 5_000;
const warmupMs = 500;
const host = 'bench.localtest.me';
const execFileAsync = promisify(execFile);

const manifest = `
apiVersion: v1
kind: Node
metadata: { name: bench-a }
---
apiVersion: v1
kind: Node
metadata: { name: bench-b }
---
${echoDeployment('echo', 3)}---
apiVersion: v1
kind: Service
metadata: { name: echo }
spec: { selector: { app: echo }, ports: [ { port: 80, targetPort: 8080 } ] }
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: nginx }
spec: { controller: k8s.io/ingress-nginx }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: echo }
spec:
  ingressClassName: nginx
  rules:
    - host: ${host}
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: echo, port: { number: 80 } } } }
`;

/** One load run's figures. */
interface LoadFigures {
  requests: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs the load on a worker thread (its own event loop) and resolves to its figures. */
function load(origin: string, headers: Record<string, string>, forMs: number): Promise<LoadFigures> {
  const worker = new Worker(new URL('./http-load.worker.mjs', import.meta.url), {
    workerData: { origin, headers, path: '/bench', concurrency, durationMs: forMs },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (figures: LoadFigures) => resolve(figures));
    worker.once('error', reject);
  });
}

function format(name: string, f: LoadFigures): string {
  return `${name}: ${f.perSecond.toFixed(0)} req/s, p50 ${f.p50Ms.toFixed(2)} ms, p99 ${f.p99Ms.toFixed(2)} ms (${f.requests} ok, ${f.errors} failed)`;
}

function wrkInstalled(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** wrk from outside the process (asynchronously: the lab shares this event loop): requests/s and p99. */
async function wrk(
  url: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<{ perSecond: number; p99: string; failed: number } | undefined> {
  const args = ['-t2', `-c${concurrency}`, `-d${seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  const { stdout } = await execFileAsync('wrk', [...args, url], { encoding: 'utf8' });
  const perSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p99 = /\s99%\s+(\S+)/.exec(stdout)?.[1];
  // wrk counts any answer as a request: report non-2xx answers and socket errors beside the rate.
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const socketErrors = (/Socket errors:([^\n]*)/.exec(stdout)?.[1] ?? '').match(/\d+/g) ?? [];
  const failed = non2xx + socketErrors.reduce((sum, n) => sum + Number(n), 0);
  return Number.isFinite(perSecond) && p99 ? { perSecond, p99, failed } : undefined;
}

/** Prints ingress-path vs direct-to-pod throughput and latency for one lab. */
export async function runIngressPathBench(): Promise<void> {
  const full = await startFullLab({
    objects: parseManifestsOrThrow(manifest),
    ingressPort: 0,
    dashboardPort: false,
    api: false,
  });
  try {
    await full.lab.ready();
    await full.ingress.settled();
    const pod = full.lab.informers.for<Pod>('Pod').list()[0];
    const binding = pod?.status?.podIP ? full.lab.pods.resolve(pod.status.podIP, 8080) : undefined;
    const ingressURL = full.ingress.url;
    if (!binding || !ingressURL) throw new Error('bench lab has no ready pod or no ingress listener');
    const direct = `http://${binding.host}:${binding.port}`;
    const viaIngress = { host };
    await load(ingressURL, viaIngress, warmupMs);
    const ingress = await load(ingressURL, viaIngress, durationMs);
    await load(direct, {}, warmupMs);
    const pod1 = await load(direct, {}, durationMs);
    console.log(`ingress path (undici, ${concurrency} connections, ${durationMs / 1000} s each, client on a worker thread):`);
    console.log(`  ${format('host → ingress → service → pod', ingress)}`);
    console.log(`  ${format('host → pod directly           ', pod1)}`);
    console.log(
      `  ratio ingress/direct: ${(ingress.perSecond / pod1.perSecond).toFixed(2)}x req/s, ${(ingress.p99Ms / pod1.p99Ms).toFixed(2)}x p99`,
    );
    if (wrkInstalled()) {
      const seconds = 3;
      const viaWrk = await wrk(ingressURL, viaIngress, seconds);
      const directWrk = await wrk(direct, {}, seconds);
      if (viaWrk && directWrk) {
        console.log(`ingress path (wrk -t2 -c${concurrency} -d${seconds}s, client outside the process):`);
        console.log(
          `  host → ingress → service → pod: ${viaWrk.perSecond.toFixed(0)} req/s, p99 ${viaWrk.p99} (${viaWrk.failed} failed)`,
        );
        console.log(
          `  host → pod directly           : ${directWrk.perSecond.toFixed(0)} req/s, p99 ${directWrk.p99} (${directWrk.failed} failed)`,
        );
        console.log(`  ratio ingress/direct: ${(viaWrk.perSecond / directWrk.perSecond).toFixed(2)}x req/s`);
      } else {
        console.log('ingress path (wrk): no figures, wrk printed no rate or latency');
      }
    } else {
      console.log('ingress path (wrk): skipped, wrk is not installed');
    }
  } finally {
    await full.close();
  }
}
