import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A Redis a test can use: its URL and how to stop it (a no-op for one given by KEMU_REDIS_URL). */
export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

/** A redis-server this process started. */
export interface RedisServer extends TestRedis {
  port: number;
  /** Stops the server (SIGTERM: with persistence, the append-only file is complete). */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisOptions {
  /** Port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Keep data in this folder (append-only file, fsync always), so a restart on it loses nothing. */
  dataDir?: string;
}

/** The redis-server binary on PATH, if any. */
export function locateRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (bound with port 0, then released). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port from listen(0)');
  return address.port;
}

/** Starts redis-server on loopback and waits until it answers PING. */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = locateRedisServer();
  if (!binary) throw new Error('redis-server is not on PATH (Debian/Ubuntu: apt-get install redis-server)');
  const port = options.port ?? (await freeLoopbackPort());
  const scratch = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'kemu-redis-'));
  const persistence = options.dataDir
    ? ['--dir', options.dataDir, '--appendonly', 'yes', '--appendfsync', 'always']
    : ['--dir', scratch!, '--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--loglevel', 'warning'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A test process that dies without stop() must not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await waitForPong(port, child, 10_000);
  } catch (error) {
    await stop();
    throw new Error(`redis-server on port ${port} did not start: ${(error as Error).message}\n${output.trim()}`);
  }
  return { url: `redis://127.0.0.1:${port}/0`, port, stop };
}

/**
 * The Redis for a test run: `KEMU_REDIS_URL` when set, else a redis-server started on a free
 * loopback port, else a one-line reason to skip. Under `CI=true` a missing Redis throws: CI
 * installs redis-server, so a skip there would hide a broken setup.
 */
export async function resolveTestRedis(): Promise<TestRedis | { skip: string }> {
  const fromEnv = process.env.KEMU_REDIS_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => {} };
  if (!locateRedisServer()) {
    const reason = 'Redis tests skipped: KEMU_REDIS_URL is unset and redis-server is not on PATH';
    if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: install redis-server)`);
    return { skip: reason };
  }
  return startRedisServer();
}

/** Polls until the server answers `+PONG`, the child exits, or the deadline passes. */
async function waitForPong(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    if (await pings(port)) return;
    if (Date.now() > deadline) throw new Error(`no PONG within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One PING over a raw socket. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
