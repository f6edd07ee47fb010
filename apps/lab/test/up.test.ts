import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

// `kemu up` in its own process: prints its entry points, serves the API, stops gracefully on SIGTERM.

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-up-'));
// Every `kemu up` a test spawns, so none outlives a failed test.
const children = new Set<import('node:child_process').ChildProcess>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('kemu up', () => {
  it('runs a lab until SIGTERM and shuts its pods down', async () => {
    const file = path.join(dir, 'lab.yaml');
    fs.writeFileSync(
      file,
      `apiVersion: v1
kind: Pod
metadata: { name: hello }
spec: { terminationGracePeriodSeconds: 1, containers: [ { name: echo, image: kemu/echo, ports: [ { containerPort: 80 } ] } ] }
`,
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        cli,
        'up',
        '-f',
        file,
        '--nodes',
        '2',
        '--api-port',
        '0',
        '--ingress-port',
        '0',
        '--dashboard-port',
        '0',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.add(child);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        const url = /API: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
        if (url && stdout.includes('pod(s) ready')) resolve(url);
      });
      child.once('exit', (code) => reject(new Error(`kemu up exited ${code}: ${stdout}`)));
    });
    const url = await ready;
    expect(stdout).toContain('2 node(s): kemu-worker, kemu-worker2');
    const pod = (await (await fetch(`${url}/api/v1/namespaces/default/pods/hello`)).json()) as { status: { phase: string } };
    expect(pod.status.phase).toBe('Running');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('lab stopped');
  });

  it('runs the shop example: a request through ingress → service → pod comes back from the right tier', async () => {
    // The README's first command: kemu up on examples/shop, then curl the ingress.
    const shop = fileURLToPath(new URL('../../../examples/shop', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, 'up', '-f', shop, '--api-port', '0', '--ingress-port', '0', '--dashboard-port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.add(child);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const ingress = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        const url = /ingress: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
        if (url && stdout.includes('pod(s) ready')) resolve(url);
      });
      child.once('exit', (code) => reject(new Error(`kemu up exited ${code}: ${stdout}`)));
    });
    try {
      const get = (path: string) =>
        new Promise<{ status: number; body: { pod?: string; namespace?: string } }>((resolve, reject) => {
          const u = new URL(ingress);
          http
            .get({ host: u.hostname, port: u.port, path, headers: { host: 'shop.localtest.me' } }, (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => {
                text += c;
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
            })
            .on('error', reject);
        });
      const web = await get('/');
      expect(web.status).toBe(200);
      expect(web.body.pod).toMatch(/^web-/);
      const api = await get('/api/items');
      expect(api.body.pod).toMatch(/^api-/);
      expect(stdout).toContain('3 node(s): kemu-worker, kemu-worker2, kemu-worker3');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 60_000);
});
