import http from 'node:http';
import type { Container, Probe } from '@kemu/core';
import { ContainerConfigError } from '../errors.js';
import { isoSeconds } from '../pods.js';
import type { RunningContainer } from './container.js';
import type { ContainerLog } from './logs.js';
import { type ProbeKind, ProbeWorker } from './probes.js';

/** Crash-loop back-off: the kubelet's 10 s doubling to 5 min (pkg/kubelet/kubelet.go backOffPeriod / MaxContainerBackOff). */
export interface BackOffOptions {
  initialMs: number;
  maxMs: number;
}

/** The container status as the API reports it (core/v1 ContainerStatus). */
export interface ContainerStatus {
  name: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  state: Record<string, unknown>;
  lastState: Record<string, unknown>;
}

/** What a slot needs from its pod. */
export interface SlotDeps {
  launch(container: Container): Promise<RunningContainer>;
  log: ContainerLog;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  backOff: BackOffOptions;
  probeTimeScale: number;
  /** Called whenever the status changed. */
  changed(): void;
  containerID: string;
}

/**
 * One container of a running pod: starts it, runs its probes, restarts it with crash-loop
 * back-off when it exits or fails liveness (per restartPolicy), and stops it with preStop and
 * the grace period.
 */
export class ContainerSlot {
  restartCount = 0;
  private running: RunningContainer | undefined;
  private state: Record<string, unknown> = { waiting: { reason: 'ContainerCreating' } };
  private lastState: Record<string, unknown> = {};
  private probes = new Map<ProbeKind, ProbeWorker>();
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private crashes = 0;
  private startedAt = 0;
  /** Whether the container ended for good (restartPolicy says no restart). */
  done = false;
  exitCode: number | undefined;

  constructor(
    readonly spec: Container,
    private readonly deps: SlotDeps,
  ) {}

  /** The running container, if any. */
  get current(): RunningContainer | undefined {
    return this.running;
  }

  /** Ready: running, started (startup probe passed) and the readiness probe succeeding. */
  get ready(): boolean {
    if (!this.running || !('running' in this.state)) return false;
    return this.started && (this.probes.get('readiness')?.success ?? true);
  }

  private get started(): boolean {
    return this.running !== undefined && (this.probes.get('startup')?.success ?? true);
  }

  /** Starts the container and its probes. */
  async start(): Promise<void> {
    if (this.stopping) return;
    let running: RunningContainer;
    try {
      running = await this.deps.launch(this.spec);
    } catch (error) {
      // The container never started: no restart is counted; the kubelet retries on its next sync.
      // A missing ConfigMap/Secret/key is CreateContainerConfigError (kuberuntime), anything else CreateContainerError.
      const reason = error instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'CreateContainerError';
      this.state = { waiting: { reason, message: error instanceof Error ? error.message : String(error) } };
      this.deps.log.waiting(reason);
      this.deps.changed();
      this.restartTimer = setTimeout(() => void this.start(), Math.min(this.deps.backOff.initialMs, 10_000));
      this.restartTimer.unref?.();
      return;
    }
    if (this.stopping) {
      await running.stop(0);
      return;
    }
    this.running = running;
    this.startedAt = Date.now();
    this.state = { running: { startedAt: isoSeconds(new Date()) } };
    this.deps.log.started();
    this.deps.log.write(`started container ${this.spec.name} (restart ${this.restartCount})`);
    this.startProbes(running);
    this.deps.changed();
    void running.exited.then((code) => {
      if (this.running === running && !this.stopping) this.onExit(code);
    });
  }

  /** The API's view of this container. */
  status(): ContainerStatus {
    return {
      name: this.spec.name,
      ready: this.ready,
      started: this.started,
      restartCount: this.restartCount,
      image: this.spec.image ?? '',
      imageID: '',
      containerID: this.deps.containerID,
      state: this.state,
      lastState: this.lastState,
    };
  }

  /** Runs preStop, then SIGTERM and SIGKILL after what is left of `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.stopProbes();
    const running = this.running;
    if (!running) return;
    const started = Date.now();
    await this.preStop(running, graceMs);
    // A preStop that used up the grace period leaves the container 2 s more (kuberuntime_container.go killContainer).
    const remaining = Math.max(graceMs - (Date.now() - started), Math.min(graceMs, 2000));
    await running.stop(remaining);
    const code = await running.exited;
    this.running = undefined;
    this.deps.log.exited(false);
    this.state = {
      terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', finishedAt: isoSeconds(new Date()) },
    };
  }

  private async preStop(running: RunningContainer, graceMs: number): Promise<void> {
    const hook = this.spec.lifecycle?.preStop;
    if (!hook) return;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    const run = async () => {
      if (hook.sleep) await new Promise((resolve) => setTimeout(resolve, hook.sleep!.seconds * 1000).unref());
      else if (hook.exec) {
        if (running.exec) await running.exec(hook.exec.command ?? [], graceMs);
        else this.deps.log.write('preStop exec skipped: kemu/echo has no shell to run it in');
      } else if (hook.httpGet) await preStopHttp(hook.httpGet, running);
    };
    await Promise.race([run().catch(() => undefined), timeout]);
  }

  private onExit(code: number): void {
    this.stopProbes();
    this.running = undefined;
    this.exitCode = code;
    const finishedAt = isoSeconds(new Date());
    const terminated = { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', finishedAt };
    const policy = this.deps.restartPolicy;
    const restart = policy === 'Always' || (policy === 'OnFailure' && code !== 0);
    this.deps.log.write(`container ${this.spec.name} exited with code ${code}`);
    // The instance that ended is what `kubectl logs --previous` reads once the container restarts.
    this.deps.log.exited(restart);
    if (!restart) {
      this.done = true;
      this.state = { terminated };
      this.deps.changed();
      return;
    }
    // A container that ran for twice the maximum back-off has its back-off reset (kubelet backoff GC).
    if (this.startedAt && Date.now() - this.startedAt > 2 * this.deps.backOff.maxMs) this.crashes = 0;
    const delay =
      this.crashes === 0 ? 0 : Math.min(this.deps.backOff.initialMs * 2 ** (this.crashes - 1), this.deps.backOff.maxMs);
    this.crashes++;
    this.lastState = { terminated };
    this.state =
      delay === 0
        ? { waiting: { reason: 'ContainerCreating' } }
        : {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.spec.name}`,
            },
          };
    this.deps.changed();
    this.restartTimer = setTimeout(() => {
      this.restartCount++;
      void this.start();
    }, delay);
    this.restartTimer.unref?.();
  }

  /** Liveness failed: kill and restart as after a crash (the kubelet counts it as a restart). */
  private async onLivenessFailure(): Promise<void> {
    const running = this.running;
    if (!running || this.stopping) return;
    this.deps.log.write(`container ${this.spec.name} failed liveness probe, will be restarted`);
    this.stopProbes();
    this.running = undefined;
    await running.stop(1000);
    if (!this.stopping) this.onExit(137);
  }

  private startProbes(running: RunningContainer): void {
    const target = {
      realPort: (port: number | string) =>
        running.bindings.find((b) => (typeof port === 'number' ? b.containerPort === port : b.name === port))?.port,
      exec: running.exec?.bind(running),
    };
    const onChange = (kind: ProbeKind, success: boolean) => {
      if (kind === 'liveness' && !success) void this.onLivenessFailure();
      else if (kind === 'startup' && success) this.startAfterStartup();
      this.deps.changed();
    };
    const specs: [ProbeKind, Probe | undefined][] = [
      ['startup', this.spec.startupProbe],
      ['readiness', this.spec.readinessProbe],
      ['liveness', this.spec.livenessProbe],
    ];
    for (const [kind, probe] of specs) {
      if (!probe) continue;
      this.probes.set(kind, new ProbeWorker(kind, probe, target, onChange, this.deps.probeTimeScale));
    }
    // Readiness and liveness wait for the startup probe (prober_manager.go).
    if (this.probes.has('startup')) this.probes.get('startup')!.start();
    else this.startAfterStartup();
  }

  private startAfterStartup(): void {
    this.probes.get('readiness')?.start();
    this.probes.get('liveness')?.start();
  }

  private stopProbes(): void {
    for (const probe of this.probes.values()) probe.stop();
    this.probes.clear();
  }
}

/** A preStop httpGet against the container's real port. */
function preStopHttp(get: NonNullable<Probe['httpGet']>, running: RunningContainer): Promise<void> {
  const binding = running.bindings.find((b) =>
    typeof get.port === 'number' ? b.containerPort === get.port : b.name === get.port,
  );
  const port = binding?.port;
  if (port === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: get.path ?? '/', agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve());
    });
    request.on('error', () => resolve());
  });
}
