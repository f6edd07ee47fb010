import type { KubernetesObject, Pod } from '@kemu/core';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { isPodReady } from '../lab/pods.js';
import { startFullLab } from '../wiring/full-lab.js';
import type { UpOptions } from './up.command.js';

/** Starts a lab with every emulator, applies the manifests, prints the entry points and runs until SIGINT/SIGTERM. */
export async function runUp(options: UpOptions): Promise<void> {
  const objects: KubernetesObject[] = options.filename?.length ? (await loadManifestsForCommand(options.filename)).objects : [];
  const started = performance.now();
  const full = await startFullLab({
    objects,
    nodes: options.nodes,
    api: { host: options.apiHost, port: options.apiPort, token: options.token },
    ingressPort: options.ingressPort,
    dashboardPort: options.dashboardPort,
    dnsPort: options.dnsPort,
    nodeMonitorGraceMs: options.nodeMonitorGrace,
    log: (message) => process.stderr.write(`${message}\n`),
  });
  const { lab } = full;
  const out = process.stdout;
  out.write(
    `kemu lab up in ${Math.round(performance.now() - started)} ms: ${lab.nodes.length} node(s): ${lab.nodes.join(', ')}\n`,
  );
  for (const point of lab.entryPoints()) out.write(`${point.name}: ${point.url}\n`);
  if (full.dashboard) out.write(`dashboard: ${full.dashboard.url} (metrics: ${full.dashboard.url}/metrics)\n`);
  if (lab.apiToken) out.write(`token: ${lab.apiToken}\n`);
  out.write(`use: KEMU_SERVER=${lab.apiURL} kemu get pods -o wide\n`);
  const report = setInterval(() => {
    const pods = lab.informers.for<Pod>('Pod').list();
    if (pods.length > 0 && pods.every(isPodReady)) {
      out.write(`${pods.length} pod(s) ready in ${Math.round(performance.now() - started)} ms\n`);
      clearInterval(report);
    }
  }, 50);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  clearInterval(report);
  out.write('shutting down: pods get SIGTERM and their grace period…\n');
  await full.close();
  out.write('lab stopped\n');
}
