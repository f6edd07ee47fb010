// `kemu csi serve` as a real process on a unix socket, and `kemu csi volumes` reading its state.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedisStore } from '@kemu/core/redis';
import { resolveTestRedis } from '@kemu/core/testing';
import { CsiClient, CsiDriver } from '@kemu/csi/server';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

const run = runCli;

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Starts `kemu csi serve` and resolves once it says it is serving. */
function serve(args: string[]): Promise<{ output: () => string; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/lab/src/cli.ts'), 'csi', 'serve', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let text = '';
  const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
  return new Promise((ready, fail) => {
    proc.stdout.on('data', (chunk) => {
      text += String(chunk);
      if (text.includes('serving')) ready({ output: () => text, exited });
    });
    proc.stderr.on('data', (chunk) => {
      text += String(chunk);
    });
    proc.on('exit', (code) => fail(new Error(`kemu csi serve exited ${code}: ${text}`)));
  });
}

describe('kemu csi', () => {
  it('serve runs the driver on the socket until SIGTERM, then closes cleanly; volumes lists what it made', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-csi-cli-'));
    const socket = join(dir, 'csi.sock');
    const stateDir = join(dir, 'state');
    const server = await serve(['--endpoint', `unix://${socket}`, '--nodeid', 'node-1', '--state-dir', stateDir]);
    const client = new CsiClient(`unix://${socket}`);
    expect(await client.call('Identity', 'Probe')).toEqual({ ready: { value: true } });
    const { volume } = await client.createVolume({
      name: 'cli-vol',
      volume_capabilities: [{ mount: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } }],
    });
    await client.controllerPublishVolume({
      volume_id: volume.volume_id,
      node_id: 'node-1',
      volume_capability: { mount: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } },
      readonly: false,
    });
    client.close();

    const listed = await run('csi', 'volumes', '--state-dir', stateDir, '-o', 'json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { name: 'cli-vol', volumeId: volume.volume_id, attachedTo: [{ node: 'node-1', readonly: false }] },
    ]);
    const text = await run('csi', 'volumes', '--state-dir', stateDir);
    expect(text.stdout).toMatch(/^NAME\s+VOLUME ID\s+SIZE\s+TYPE\s+ATTACHED TO/);
    expect(text.stdout).toContain('1Gi');

    child!.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('SIGTERM, closing');
    expect(existsSync(socket)).toBe(false);
  });

  it('serve without an endpoint or CSI_ENDPOINT is a usage error', async () => {
    const saved = process.env.CSI_ENDPOINT;
    delete process.env.CSI_ENDPOINT;
    try {
      const result = await run('csi', 'serve', '--nodeid', 'n1');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('--endpoint');
    } finally {
      if (saved !== undefined) process.env.CSI_ENDPOINT = saved;
    }
  });

  it('serve refuses an endpoint that is not a unix socket', async () => {
    const result = await run(
      'csi',
      'serve',
      '--endpoint',
      'tcp://127.0.0.1:9000',
      '--state-dir',
      join(tmpdir(), 'kemu-csi-never'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('KEMU_CSI_ENDPOINT');
  });

  it('volumes --store redis:// lists what drivers on that Redis made', async (context) => {
    const redis = await resolveTestRedis();
    if ('skip' in redis) return context.skip(redis.skip);
    dir = await mkdtemp(join(tmpdir(), 'kemu-csi-cli-redis-'));
    const lab = `cli-${process.pid}-${Date.now()}`;
    const store = createRedisStore({ url: redis.url, lab });
    try {
      const driver = await new CsiDriver({ stateDir: join(dir, 'state'), store, nodeId: 'node-1' }).start();
      await driver.createVolume({
        name: 'shared-vol',
        volume_capabilities: [{ mount: {}, access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' } }],
      });
      const listed = await run('csi', 'volumes', '--store', redis.url, '--lab', lab, '-o', 'json');
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'shared-vol', attachedTo: [] }]);
    } finally {
      await store.close();
      await redis.stop();
    }
  });
});
