import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveTestRedis } from '@kemu/core/testing';
import { afterAll, describe, expect, it, test } from 'vitest';
import { runCli } from './run-cli.js';

// `kemu up --detach` / `kemu down` (issue 7, "`kemu down` stops a lab started in the background") and
// `--store redis://…` (issue 7, "state in Redis kept"), each in its own process, every port 0.

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-home-'));
const ports = ['--api-port', '0', '--ingress-port', '0', '--dashboard-port', '0'];

/** Runs `kemu …args` as its own process with KEMU_HOME set to the test's folder. */
async function kemu(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, ...args], {
      env: { ...process.env, KEMU_HOME: home },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const stateFile = path.join(home, 'lab.json');

afterAll(async () => {
  if (fs.existsSync(stateFile)) await kemu('down');
  fs.rmSync(home, { recursive: true, force: true });
});

describe('kemu up --detach and kemu down', () => {
  it('starts a background lab, records its pid and entry points, and stops it', async () => {
    const up = await kemu('up', '--detach', ...ports);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/ingress: http:\/\/127\.0\.0\.1:\d+/);
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { pid: number; entryPoints: { name: string; url: string }[] };
    expect(state.entryPoints.map((p) => p.name)).toContain('API');
    const health = await fetch(`${state.entryPoints.find((p) => p.name === 'API')!.url}/healthz`);
    expect(health.status).toBe(200);
    const down = await kemu('down');
    expect(down.code, down.stderr).toBe(0);
    expect(fs.existsSync(stateFile)).toBe(false);
    expect(() => process.kill(state.pid, 0)).toThrow();
  });

  it('says so and exits 1 when no lab runs', async () => {
    const down = await kemu('down');
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/no lab runs in the background/);
  });
});

describe('kemu up --store', () => {
  it('rejects a store that is neither memory nor a Redis URL with exit 1', async () => {
    const run = await runCli('up', '--store', 'postgres://127.0.0.1/x', ...ports);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--store must be "memory" or redis:\/\/HOST:PORT\[\/db\]/);
  });

  it('fails with exit 2 when the Redis does not answer (the environment, not the input)', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const run = await runCli('up', '--store', 'redis://127.0.0.1:1/0', ...ports);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not answer/);
  });
});

const redis = await resolveTestRedis();
if ('skip' in redis) {
  test('kemu up --store redis:// keeps state across restarts', (context) => context.skip(redis.skip));
} else {
  afterAll(() => redis.stop());
  describe('kemu up --store redis://', () => {
    it('keeps the applied objects when the lab stops (SIGTERM) and starts again on the same store and lab', async () => {
      const lab = `up-test-${randomUUID()}`;
      const file = path.join(home, 'config.yaml');
      fs.writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept}\ndata: {answer: "42"}\n');
      const first = await kemu('up', '--detach', '--store', redis.url, '--lab', lab, '-f', file, ...ports);
      expect(first.code, first.stderr).toBe(0);
      expect((await kemu('down')).code).toBe(0);
      // Started again without -f: whatever it shows came from Redis.
      const second = await kemu('up', '--detach', '--store', redis.url, '--lab', lab, ...ports);
      expect(second.code, second.stderr).toBe(0);
      const api = /API: (http:\/\/127\.0\.0\.1:\d+)/.exec(second.stdout)![1]!;
      const got = await runCli('get', 'configmap', 'kept', '-o', 'json', '--server', api);
      expect(got.code, got.stderr).toBe(0);
      expect(JSON.parse(got.stdout)).toMatchObject({ metadata: { name: 'kept' }, data: { answer: '42' } });
      expect((await kemu('down')).code).toBe(0);
    });
  });
}
