import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Probe } from '@kemu/core';

/** What a probe needs from its container: the real port behind a declared one, and how to exec. */
export interface ProbeTarget {
  /** Real loopback port for a containerPort number or port name; undefined when not declared/listening. */
  realPort(port: number | string): number | undefined;
  /** Runs a command in the container's environment; resolves to its exit code. Undefined when the container cannot exec. */
  exec?(command: readonly string[], timeoutMs: number): Promise<number>;
}

/** Runs one probe attempt (pkg/probe/{http,tcp,exec}); resolves true on success. */
export async function runProbe(probe: Probe, target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  try {
    if (probe.httpGet) return await httpProbe(probe.httpGet, target, timeoutMs);
    if (probe.tcpSocket) return await tcpProbe(target.realPort(probe.tcpSocket.port), timeoutMs);
    if (probe.exec) {
      // An echo container has no shell to exec in: the probe cannot fail it.
      if (!target.exec) return true;
      return (await target.exec(probe.exec.command ?? [], timeoutMs)) === 0;
    }
    return true;
  } catch {
    return false;
  }
}

/** HTTP probe: any status in [200, 400) is success (pkg/probe/http/http.go). */
function httpProbe(get: NonNullable<Probe['httpGet']>, target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  const port = target.realPort(get.port);
  if (port === undefined) return Promise.resolve(false);
  const client = get.scheme === 'HTTPS' ? https : http;
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.34', accept: '*/*', connection: 'close' };
  for (const header of get.httpHeaders ?? []) headers[header.name.toLowerCase()] = header.value;
  return new Promise((resolve) => {
    const request = client.request(
      {
        host: '127.0.0.1',
        port,
        path: get.path ?? '/',
        method: 'GET',
        headers,
        timeout: timeoutMs,
        rejectUnauthorized: false,
        agent: false,
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 400);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
    request.end();
  });
}

/** TCP probe: success when a connection opens (pkg/probe/tcp/tcp.go). */
function tcpProbe(port: number | undefined, timeoutMs: number): Promise<boolean> {
  if (port === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a local command with `env`; resolves to its exit code (124-like -1 on timeout). */
export function execCommand(
  command: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
  cwd?: string,
): Promise<number> {
  const [file, ...args] = command;
  if (!file) return Promise.resolve(-1);
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(-1);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
}

/** Which probe: they start differently (prober/worker.go: readiness starts failed, liveness succeeded). */
export type ProbeKind = 'readiness' | 'liveness' | 'startup';

/**
 * Runs a probe periodically and reports a result when `successThreshold` successes or
 * `failureThreshold` failures in a row change it (prober/worker.go). `timeScale` multiplies
 * every delay (tests run probes in milliseconds).
 */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private result: boolean;
  private streak = 0;
  private lastRaw: boolean | undefined;

  constructor(
    private readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly target: ProbeTarget,
    private readonly onChange: (kind: ProbeKind, success: boolean) => void,
    private readonly timeScale = 1,
  ) {
    this.result = kind === 'liveness';
  }

  /** The current result. */
  get success(): boolean {
    return this.result;
  }

  /** Starts after initialDelaySeconds. */
  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000 * this.timeScale);
  }

  /** Stops probing. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    const timeoutMs = Math.max(50, (this.probe.timeoutSeconds ?? 1) * 1000 * Math.max(this.timeScale, 0.1));
    const ok = await runProbe(this.probe, this.target, timeoutMs);
    if (this.stopped) return;
    this.streak = ok === this.lastRaw ? this.streak + 1 : 1;
    this.lastRaw = ok;
    const threshold = ok ? (this.probe.successThreshold ?? 1) : (this.probe.failureThreshold ?? 3);
    if (ok !== this.result && this.streak >= threshold) {
      this.result = ok;
      this.onChange(this.kind, ok);
    }
    // A startup probe stops once it succeeded (prober/worker.go).
    if (this.kind === 'startup' && this.result) return;
    this.schedule((this.probe.periodSeconds ?? 10) * 1000 * this.timeScale);
  }
}
