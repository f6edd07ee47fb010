import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '@kemu/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { Lab } from '../src/lab/index.js';
import { isPodReady } from '../src/lab/pods.js';
import { eventually } from './helpers.js';

// `kemu apply/get/logs/delete` against a running lab's API.

let lab: Lab;
let dir: string;
let file: string;

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['node', 'kemu', ...args, '--server', lab.apiURL]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  lab = new Lab({ nodes: 2 });
  await lab.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-cli-'));
  file = path.join(dir, 'web.yaml');
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Pod
metadata: { name: hello, labels: { app: hello } }
spec:
  terminationGracePeriodSeconds: 1
  containers: [ { name: echo, image: kemu/echo, ports: [ { containerPort: 8080 } ] } ]
---
apiVersion: v1
kind: Service
metadata: { name: hello }
spec: { selector: { app: hello }, ports: [ { port: 80, targetPort: 8080 } ] }
`,
  );
});

afterAll(async () => {
  await lab.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('kemu CLI against a running lab', () => {
  it('applies manifests and reports created, then unchanged', async () => {
    const first = await run('apply', '-f', file);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('pod/hello created\nservice/hello created\n');
    const second = await run('apply', '-f', file);
    expect(second.stdout).toBe('pod/hello unchanged\nservice/hello unchanged\n');
  });

  it('gets pods as a wide table and as JSON', async () => {
    await eventually(async () => {
      const pod = await lab.store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'hello' });
      return pod && isPodReady(pod);
    });
    const wide = await run('get', 'pods', '-o', 'wide');
    expect(wide.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\n/);
    expect(wide.stdout).toMatch(/hello\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+kemu-worker/);
    const json = await run('get', 'svc', 'hello', '-o', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'Service', spec: { clusterIP: expect.stringMatching(/^10\./) } });
  });

  it('prints objects as YAML and names', async () => {
    const yaml = await run('get', 'deploy', '-o', 'yaml');
    expect(yaml.stdout).toContain('kind: List');
    const names = await run('get', 'nodes', '-o', 'name');
    expect(names.stdout).toBe('node/kemu-worker\nnode/kemu-worker2\n');
  });

  it('deletes by kind and name, and exits 1 for a missing one', async () => {
    await lab.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: scratch }\ndata: { a: b }\n');
    const ok = await run('delete', 'cm', 'scratch');
    expect(ok.stdout).toBe('configmap/scratch deleted\n');
    const missing = await run('delete', 'cm', 'scratch');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('configmaps "scratch" not found');
  });

  it('prints a pod log', async () => {
    const { stdout, code } = await run('logs', 'pod/hello');
    expect(code).toBe(0);
    expect(stdout).toContain('kemu/echo serving default/hello');
  });

  it('exits 1 with NotFound for a missing object', async () => {
    const { code, stderr } = await run('get', 'pod', 'nope');
    expect(code).toBe(1);
    expect(stderr).toContain('pods "nope" not found');
  });

  it('deletes what the manifests name', async () => {
    const { stdout, code } = await run('delete', '-f', file);
    expect(code).toBe(0);
    expect(stdout).toBe('pod/hello deleted\nservice/hello deleted\n');
    await eventually(async () => !(await lab.store.get({ kind: 'Pod', namespace: 'default', name: 'hello' })), 5000, 'pod gone');
  });

  it('says where no lab answers', async () => {
    const code = await main(['node', 'kemu', 'get', 'pods', '--server', 'http://127.0.0.1:1']);
    expect(code).toBe(1);
  });
});
