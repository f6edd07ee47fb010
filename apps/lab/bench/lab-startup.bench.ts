// Startup of a lab to all pods Ready (issue 7 targets: 3 nodes / 10 pods < 1 s, 50 nodes / 1,000 pods < 10 s,
// < 1.5 GB RSS for 1,000 pods). kwok, which runs no data plane, creates about 20 pods/s.
import { type Pod, parseManifestsOrThrow } from '@kemu/core';
import { isPodReady } from '../src/lab/pods.js';
import { createLab } from '../src/testing/index.js';
import { startFullLab } from '../src/wiring/full-lab.js';
import { echoDeployment } from './manifests.js';

const kwokPodsPerSecond = 20;

function deployment(replicas: number): string {
  return `${echoDeployment('bench', replicas)}---
apiVersion: v1
kind: Service
metadata: { name: bench }
spec: { selector: { app: bench }, ports: [ { port: 80, targetPort: 8080 } ] }
`;
}

async function measure(nodes: number, pods: number, limitMs: number): Promise<void> {
  const started = performance.now();
  // The wired lab `kemu up` runs: CNI IPAM and agents, CSI, kube-proxy, DNS and the ingress.
  const full = await startFullLab({
    nodes,
    objects: parseManifestsOrThrow(deployment(pods)),
    api: false,
    ingressPort: 0,
    dashboardPort: false,
  });
  const lab = full.lab;
  const timeoutAt = Date.now() + Math.max(60_000, limitMs * 3);
  let ready = 0;
  while (Date.now() < timeoutAt) {
    const list = lab.informers.for<Pod>('Pod').list();
    ready = list.filter(isPodReady).length;
    if (ready === pods) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const elapsed = performance.now() - started;
  const rssMB = process.memoryUsage().rss / 1024 / 1024;
  const rate = (ready / elapsed) * 1000;
  console.log(
    `lab startup ${nodes} nodes / ${pods} pods: ${ready === pods ? '' : `ONLY ${ready} ready after `}${elapsed.toFixed(0)} ms to all Ready ` +
      `(target < ${limitMs} ms, ratio ${(elapsed / limitMs).toFixed(2)}); ${rate.toFixed(0)} pods/s vs kwok ~${kwokPodsPerSecond} pods/s ` +
      `(${(rate / kwokPodsPerSecond).toFixed(1)}x); RSS ${rssMB.toFixed(0)} MB`,
  );
  const closing = performance.now();
  await full.close();
  console.log(`lab close ${pods} pods: ${(performance.now() - closing).toFixed(0)} ms`);
}

/** `createLab` to `ready()` for a small lab: issue 8 wants < 300 ms so a lab fits in a unit test. */
async function measureTestingLab(): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const lab = await createLab(deployment(3), { nodes: 2 });
    await lab.ready();
    samples.push(performance.now() - started);
    await lab.close();
  }
  samples.sort((a, b) => a - b);
  const median = samples[2]!;
  console.log(
    `createLab + ready(), 2 nodes / 3 pods: median ${median.toFixed(0)} ms of 5 (min ${samples[0]!.toFixed(0)}, max ${samples[4]!.toFixed(0)}; target < 300 ms, ratio ${(median / 300).toFixed(2)})`,
  );
}

/** Prints startup-to-ready figures for a small and a large lab. */
export async function runLabStartupBench(): Promise<void> {
  await measureTestingLab();
  await measure(3, 10, 1000);
  await measure(50, 1000, 10_000);
}
