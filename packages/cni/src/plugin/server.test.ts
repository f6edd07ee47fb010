// The thick-plugin path: bin/kemu-cni (a sh shim) forwards to a node agent's unix socket with curl.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginServer } from './server.js';

const curl = spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();
if (!curl && process.env.CI === 'true') throw new Error('curl is required in CI (the thick-plugin shim uses it)');
if (!curl) console.warn('skipping the thick-plugin shim test: curl is not installed');
const dir = mkdtempSync(join(tmpdir(), 'kemu-cni-sock-'));
const socketPath = join(dir, 'cni.sock');
const bin = fileURLToPath(new URL('../../bin/kemu-cni', import.meta.url));
let server: Server;
let requests = 0;

beforeAll(async () => {
  server = await startPluginServer({ socketPath });
  server.on('request', () => requests++);
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(curl)('bin/kemu-cni with a node agent socket', () => {
  // Asynchronous spawn: the server answering the shim runs in this process.
  const run = (id: string) =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn('sh', [bin], {
        env: {
          PATH: process.env.PATH,
          KEMU_CNI_SOCKET: socketPath,
          CNI_COMMAND: 'ADD',
          CNI_CONTAINERID: id,
          CNI_IFNAME: 'eth0',
          CNI_NETNS: '/x',
          CNI_PATH: '/x',
        },
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (status) => resolve({ status, stdout }));
      child.stdin.end(
        JSON.stringify({
          cniVersion: '1.0.0',
          name: 'lab',
          ipam: { dataDir: join(dir, 'data'), ranges: [[{ subnet: '10.1.0.0/24' }]] },
        }),
      );
    });

  it('forwards ADD over the socket and prints the result with exit 0', async () => {
    const r = await run('a');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ips: [{ address: '10.1.0.2/24' }] });
    expect(requests).toBe(1);
  });

  it('maps a CNI error to exit 1 with the error object on stdout', async () => {
    const r = await run('a');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 999 });
  });
});
