import type { KubernetesObject, Pod } from '@kemu/core';
import { CliExit, exitCodes } from '../cli/exit.js';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { untilStopSignal } from '../cli/signals.js';
import { endpointsCaughtUp } from '../lab/endpoints-caught-up.js';
import { isPodReady } from '../lab/pods.js';
import { startFullLab } from '../wiring/full-lab.js';
import { defaultLabDataDir } from './lab-data-dir.js';
import { removeLabState, writeLabState } from './lab-state.js';
import type { UpOptions } from './up.command.js';
import { expectedPods, labProgressSample, startUpProgress } from './up-progress.js';
import { openStore } from './up-store.js';

/** Set by `kemu up --detach` on the background process: it records itself in the state file. */
export const DETACHED_ENV = 'KEMU_UP_DETACHED';

/** Starts a lab with every emulator, applies the manifests, prints the entry points and runs until SIGINT/SIGTERM. */
export async function runUp(options: UpOptions): Promise<void> {
  const objects: KubernetesObject[] = options.filename?.length ? (await loadManifestsForCommand(options.filename)).objects : [];
  if (options.agents === false && !options.store.startsWith('redis'))
    throw new CliExit(
      exitCodes.userError,
      'error: --no-agents needs --store redis://HOST:PORT: agents join the lab through Redis',
    );
  const started = performance.now();
  const store = await openStore(options.store, options.lab);
  let full: Awaited<ReturnType<typeof startFullLab>>;
  try {
    full = await startFullLab({
      objects,
      ...(store ? { store } : {}),
      nodes: options.nodes,
      api: { host: options.apiHost, port: options.apiPort, token: options.token },
      ingressPort: options.ingressPort,
      dashboardPort: options.dashboardPort,
      dnsPort: options.dnsPort,
      nodeMonitorGraceMs: options.nodeMonitorGrace,
      agents: options.agents,
      ...(options.dataDir || store ? { dataDir: options.dataDir ?? defaultLabDataDir(options.lab) } : {}),
      log: (message) => process.stderr.write(`${message}\n`),
    });
  } catch (error) {
    await store?.close();
    throw error;
  }
  const { lab } = full;
  const out = process.stdout;
  out.write(
    `kemu lab up in ${Math.round(performance.now() - started)} ms: ${lab.nodes.length} node(s): ${lab.nodes.join(', ')}\n`,
  );
  if (options.agents === false)
    out.write(
      `control plane only: start nodes with \`kemu agent --store ${options.store} --lab ${options.lab} --node NAME --advertise 127.0.0.N\`\n`,
    );
  const printed = new Set<string>();
  const printEntryPoints = () => {
    for (const point of lab.entryPoints()) {
      if (printed.has(point.name)) continue;
      printed.add(point.name);
      out.write(`${point.name}: ${point.url}\n`);
    }
  };
  printEntryPoints();
  if (full.dashboard) out.write(`dashboard: ${full.dashboard.url} (metrics: ${full.dashboard.url}/metrics)\n`);
  if (lab.apiToken) out.write(`token: ${lab.apiToken}\n`);
  const detached = process.env[DETACHED_ENV] === '1';
  const startedAt = new Date().toISOString();
  const recordState = () => {
    if (!detached) return;
    const entryPoints = lab.entryPoints().map(({ name, url }) => ({ name, url }));
    if (full.dashboard) entryPoints.push({ name: 'dashboard', url: full.dashboard.url });
    writeLabState({ pid: process.pid, startedAt, store: options.store, lab: options.lab, entryPoints });
  };
  recordState();
  out.write(`use: KEMU_SERVER=${lab.apiURL} kemu get pods -o wide\n`);
  // Large (or slow) labs: pods Ready so far on stderr until the lab is ready.
  const progress = startUpProgress({
    expected: expectedPods(objects),
    started,
    stream: process.stderr,
    sample: () => labProgressSample(lab),
  });
  const report = setInterval(() => {
    const pods = lab.informers.for<Pod>('Pod').list();
    // "Ready" once requests can reach them: their endpoints are ready and the ingress has applied them.
    if (pods.length > 0 && pods.every(isPodReady) && endpointsCaughtUp(lab)) {
      clearInterval(report);
      progress.stop();
      void full.ingress.settled().then(() => {
        // LoadBalancer host ports come once their Services have an address: print what is new.
        printEntryPoints();
        // LoadBalancer ports assigned since the start go into the state `kemu down`/`kemu get` read too.
        recordState();
        out.write(`${pods.length} pod(s) ready in ${Math.round(performance.now() - started)} ms\n`);
      });
    }
  }, 50);
  await untilStopSignal();
  clearInterval(report);
  progress.stop();
  out.write('shutting down: pods get SIGTERM and their grace period…\n');
  await full.close();
  // The lab does not close a store it was given; state in Redis stays for the next `kemu up`.
  await store?.close();
  if (detached) removeLabState(process.pid);
  out.write('lab stopped\n');
}
