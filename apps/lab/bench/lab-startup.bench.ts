// Startup of a lab to all pods Ready (issue 7 targets: 3 nodes / 10 pods < 1 s, 50 nodes / 1,000 pods < 10 s,
// < 1.5 GB RSS for 1,000 pods). kwok, which runs no data plane, creates about 20 pods/s.
import type { Pod } from '@kemu/core';
import { Lab } from '../src/lab/index.js';
import { isPodReady } from '../src/lab/pods.js';

const kwokPodsPerSecond = 20;

function deployment(replicas: number): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: { name: bench }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: bench } }
  template:
    metadata: { labels: { app: bench } }
    spec:
      terminationGracePeriodSeconds: 0
      containers: [ { name: echo, image: kemu/echo, ports: [ { containerPort: 8080 } ] } ]
---
apiVersion: v1
kind: Service
metadata: { name: bench }
spec: { selector: { app: bench }, ports: [ { port: 80, targetPort: 8080 } ] }
`;
}

async function measure(nodes: number, pods: number, limitMs: number): Promise<void> {
  const started = performance.now();
  const lab = new Lab({ nodes, api: false });
  await lab.start();
  await lab.apply(deployment(pods));
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
  await lab.close();
  console.log(`lab close ${pods} pods: ${(performance.now() - closing).toFixed(0)} ms`);
}

/** Prints startup-to-ready figures for a small and a large lab. */
export async function runLabStartupBench(): Promise<void> {
  await measure(3, 10, 1000);
  await measure(50, 1000, 10_000);
}
