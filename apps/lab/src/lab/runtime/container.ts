import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import type { Container } from '@kemu/core';
import type { PodPortBinding } from '../hooks.js';
import { EchoApp, type EchoIdentity } from './echo-app.js';
import type { ContainerLog } from './logs.js';
import { execCommand } from './probes.js';

/** A started container: its real ports, its end, and how to stop it. */
export interface RunningContainer {
  readonly bindings: readonly PodPortBinding[];
  /** Resolves with the exit code when the container ends by itself or is stopped. */
  readonly exited: Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<void>;
  /** Runs a command in the container's environment (only local-command containers can). */
  exec?(command: readonly string[], timeoutMs: number): Promise<number>;
}

/** The declared ports of a container, with their protocol defaulted. */
export function declaredPorts(
  container: Container,
): { name?: string; containerPort: number; protocol: 'TCP' | 'UDP' | 'SCTP' }[] {
  return (container.ports ?? []).map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' }));
}

/** Starts the built-in echo app for a container. */
export async function startEcho(
  container: Container,
  identity: EchoIdentity,
  log: ContainerLog,
  fixedPorts: readonly number[] = [],
): Promise<RunningContainer> {
  const output = log.output();
  const app = new EchoApp(identity, (line) => output.line(line));
  const ports = declaredPorts(container);
  const real = await app.start(ports, fixedPorts);
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  return {
    bindings: ports.map((p, i) => ({ container: container.name, ...p, host: '127.0.0.1', port: real[i]! })),
    exited,
    async stop(graceMs) {
      await Promise.race([app.stop(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      app.kill();
      // SIGTERM's conventional exit status: 128 + 15.
      resolveExit(143);
    },
  };
}

/** Real loopback ports for a local command to listen on: reserved by listen(0), then freed for it. */
export async function reservePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = net.createServer();
      return new Promise<net.Server>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server));
      });
    }),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** The argv of a local-command container: command then args (Kubernetes' entrypoint/cmd override, without an image). */
export function commandLine(container: Container): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])];
}

/**
 * Starts a local command as a child process in its own process group, with `env` and the real
 * ports in `KEMU_LISTEN_*`; stdout and stderr go to the container's log.
 */
export function startProcess(
  container: Container,
  argv: readonly string[],
  bindings: PodPortBinding[],
  env: Record<string, string>,
  log: ContainerLog,
): RunningContainer {
  const [file, ...args] = argv;
  const child: ChildProcess = spawn(file!, args, {
    env,
    cwd: container.workingDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // This instance's output: what the process writes after its exit is still its own.
  const output = log.output();
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.on('data', (chunk: Buffer) => output.chunk(chunk, stream));
    child[stream]?.on('end', () => output.flush(stream));
  }
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      output.line(`failed to start ${file}: ${error.message}`, 'stderr');
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      const status = code ?? (signal === 'SIGKILL' ? 137 : 143);
      // Reported once its output is all in the log ('close': stdio drained), so a follower of the log
      // gets its last lines; a second at most, should a process it left behind keep the pipes open.
      const late = setTimeout(() => resolve(status), 1000);
      late.unref();
      child.once('close', () => {
        clearTimeout(late);
        resolve(status);
      });
    });
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  return {
    bindings,
    exited,
    async stop(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    exec: (command, timeoutMs) => execCommand(command, env, timeoutMs, container.workingDir),
  };
}
