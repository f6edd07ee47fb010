// `pnpm bench` for the kemu app: figures are printed side by side with their limit, never asserted.
import { runCliStartBench } from './cli-start.bench.js';
import { runIngressPathBench } from './ingress-path.bench.js';
import { runKubeletCertBench } from './kubelet-cert.bench.js';
import { runLabStartupBench } from './lab-startup.bench.js';
import { runMigrateBench } from './migrate.bench.js';

runCliStartBench();
await runLabStartupBench();
await runIngressPathBench();
await (await import('./dashboard-render.bench.js')).runDashboardRenderBench();
await (await import('./agents.bench.js')).runAgentsBench();
runKubeletCertBench();
runMigrateBench();
