// `kemu up`'s progress display for large labs: how many pods are Ready while the lab converges.
// A small lab is ready before anything would show; a large one (or a slow one) gets a line on
// stderr — rewritten in place on a terminal, one per second otherwise (CI logs stay readable).
import type { KubernetesObject, Pod } from '@kemu/core';
import type { Lab } from '../lab/lab.js';
import { isPodReady } from '../lab/pods.js';

/** Manifests expected to create more pods than this show progress from the start. */
export const largeLabPods = 50;
/** Any lab still converging after this long shows progress. */
export const progressDelayMs = 500;

/** Where the lab is on its way to Ready. */
export interface ProgressSample {
  /** Pods that exist now. */
  created: number;
  /** Pods that are Ready. */
  ready: number;
  nodes: number;
}

/** Pods the manifests will create: workload replicas (default 1, as the API server defaults them) and bare Pods. */
export function expectedPods(objects: readonly KubernetesObject[]): number {
  let total = 0;
  for (const o of objects) {
    if (o.kind === 'Pod') total += 1;
    else if (o.kind === 'Deployment' || o.kind === 'ReplicaSet' || o.kind === 'StatefulSet') {
      const replicas = (o as { spec?: { replicas?: number } }).spec?.replicas;
      total += typeof replicas === 'number' ? replicas : 1;
    }
  }
  return total;
}

/** Whether to show progress now: a large lab at once, any lab not ready after {@link progressDelayMs}. */
export function shouldShowProgress(expected: number, elapsedMs: number): boolean {
  return expected > largeLabPods || elapsedMs >= progressDelayMs;
}

/** One progress line: `pods: 412/1000 ready (1000 created), 50 nodes, 2.4 s…`. */
export function formatProgress(sample: ProgressSample, expected: number, elapsedMs: number): string {
  const total = Math.max(expected, sample.created);
  const created = sample.created < total ? ` (${sample.created} created)` : '';
  const nodes = `${sample.nodes} node${sample.nodes === 1 ? '' : 's'}`;
  return `pods: ${sample.ready}/${total} ready${created}, ${nodes}, ${(elapsedMs / 1000).toFixed(1)} s…`;
}

/** The stream progress goes to (process.stderr). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Options of {@link startUpProgress}. */
export interface UpProgressOptions {
  expected: number;
  /** performance.now() when `kemu up` started. */
  started: number;
  stream: ProgressStream;
  sample(): ProgressSample;
  now?(): number;
}

/** A running progress display. */
export interface UpProgress {
  /** Stops the display (idempotent); on a terminal, clears the line it drew. */
  stop(): void;
}

/**
 * Shows pod progress until every expected pod is Ready or `stop()` is called. On a terminal the
 * line is redrawn in place (`\r`) ten times a second; elsewhere one line is written per second.
 * A large lab shows its first line at once.
 */
export function startUpProgress(options: UpProgressOptions): UpProgress {
  // Nothing expected: no startup to show (pods applied later are not this display's business).
  if (options.expected === 0) return { stop: () => undefined };
  const now = options.now ?? (() => performance.now());
  const tty = options.stream.isTTY === true;
  let drawn = 0;
  let stopped = false;
  const tick = (): void => {
    const elapsed = now() - options.started;
    const sample = options.sample();
    if (sample.created >= options.expected && sample.created > 0 && sample.ready === sample.created) {
      progress.stop();
      return;
    }
    if (!shouldShowProgress(options.expected, elapsed)) return;
    const line = formatProgress(sample, options.expected, elapsed);
    // Pad over the previous, longer line: `\r` moves back without erasing.
    if (tty) options.stream.write(`\r${line.padEnd(drawn)}`);
    else options.stream.write(`${line}\n`);
    drawn = Math.max(drawn, line.length);
  };
  const progress: UpProgress = {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (tty && drawn > 0) options.stream.write(`\r${' '.repeat(drawn)}\r`);
    },
  };
  const timer = setInterval(tick, tty ? 100 : 1000);
  timer.unref();
  // A large lab says what it is starting right away rather than after the first interval.
  if (options.expected > largeLabPods) tick();
  return progress;
}

/** Samples a running lab: pods created and Ready, and its nodes. */
export function labProgressSample(lab: Lab): ProgressSample {
  const pods = lab.informers.for<Pod>('Pod').list();
  return { created: pods.length, ready: pods.filter(isPodReady).length, nodes: lab.nodes.length };
}
