import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

// `kemu up` on a large lab shows pod progress on stderr (issue 7: "a progress display for large ones")
// and stops it once the lab is ready.

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-up-progress-'));
const children = new Set<import('node:child_process').ChildProcess>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('kemu up progress', () => {
  it('prints pods Ready out of the expected count for a large lab, then the ready line', async () => {
    const file = path.join(dir, 'large.yaml');
    fs.writeFileSync(
      file,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: many }
spec:
  replicas: 60
  selector: { matchLabels: { app: many } }
  template:
    metadata: { labels: { app: many } }
    spec:
      terminationGracePeriodSeconds: 0
      containers: [ { name: echo, image: kemu/echo, ports: [ { containerPort: 8080 } ] } ]
`,
    );
    const args = ['--import', 'tsx', cli, 'up', '-f', file, '--nodes', '2', '--api-port', '0', '--ingress-port', '0'];
    const child = spawn(process.execPath, [...args, '--dashboard-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('pod(s) ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`kemu up exited ${code}: ${stdout}${stderr}`)));
    });
    // stderr is a pipe here, not a terminal: whole lines, the first one at once for a large lab.
    expect(stderr).toMatch(/^pods: \d+\/60 ready.*, 2 nodes, \d+\.\d s…$/m);
    expect(stderr).not.toContain('\r');
    expect(stdout).toContain('60 pod(s) ready');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
