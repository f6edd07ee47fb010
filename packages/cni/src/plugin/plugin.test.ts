import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStore, MemoryBackend } from '@kemu/core';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlugin } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'kemu-cni-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = (cmd: string, id = 'c1', extra: Record<string, string> = {}) => ({
  CNI_COMMAND: cmd,
  CNI_CONTAINERID: id,
  CNI_IFNAME: 'eth0',
  CNI_NETNS: '/x',
  CNI_PATH: '/x',
  ...extra,
});
const conf = (version: string, extra: Record<string, unknown> = {}, data = 'd') =>
  JSON.stringify({
    cniVersion: version,
    name: 'lab',
    ipam: { dataDir: join(dir, data), ranges: [[{ subnet: '10.1.0.0/24' }]] },
    ...extra,
  });

describe('CNI 1.1 (spec mode) where host-local 1.1.1 stops', () => {
  it('accepts a 1.1.0 config and answers in 1.1.0', async () => {
    const r = await runPlugin({ env: env('ADD'), stdin: conf('1.1.0') });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cniVersion: '1.1.0', ips: [{ address: '10.1.0.2/24' }] });
  });

  it('echoes the requested version in VERSION and lists 1.1.0', async () => {
    const r = await runPlugin({ env: { CNI_COMMAND: 'VERSION' }, stdin: '{"cniVersion":"1.1.0"}' });
    expect(JSON.parse(r.stdout)).toEqual({
      cniVersion: '1.1.0',
      supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'],
    });
  });

  it('answers STATUS with success when the IPAM backend opens', async () => {
    expect(await runPlugin({ env: { CNI_COMMAND: 'STATUS' }, stdin: conf('1.1.0') })).toMatchObject({ exitCode: 0, stdout: '' });
  });

  it('GC releases every reservation not in cni.dev/valid-attachments', async () => {
    const s = (extra = {}) => conf('1.1.0', extra, 'gc');
    await runPlugin({ env: env('ADD', 'keep'), stdin: s() });
    await runPlugin({ env: env('ADD', 'gone'), stdin: s() });
    const r = await runPlugin({
      env: { CNI_COMMAND: 'GC', CNI_PATH: '/x' },
      stdin: s({ 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] }),
    });
    expect(r.exitCode).toBe(0);
    expect(readdirSync(join(dir, 'gc', 'lab')).sort()).toEqual(['10.1.0.2', 'last_reserved_ip.0', 'lock']);
  });

  it('puts cniVersion in error objects (SPEC.md "Error") and exits 1', async () => {
    const r = await runPlugin({ env: env('ADD'), stdin: JSON.stringify({ cniVersion: '1.0.0', name: 'lab' }) });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ cniVersion: '1.0.0', code: 999, msg: "IPAM config missing 'ipam' key" });
  });

  it('rejects an unknown cniVersion with code 1 and prints the about text without CNI_COMMAND', async () => {
    expect(JSON.parse((await runPlugin({ env: env('ADD'), stdin: conf('9.9.9') })).stdout)).toMatchObject({
      code: 1,
      msg: 'incompatible CNI versions',
    });
    const about = await runPlugin({ env: {}, stdin: '' });
    expect([about.exitCode, about.stdout]).toEqual([0, '']);
    expect(about.stderr).toContain('CNI protocol versions supported');
  });
});

describe('"store": cluster-wide allocation', () => {
  it('two plugin invocations on one store never share an address', async () => {
    const shared = new MemoryBackend();
    const openStore = async () => createMemoryStore({ backend: shared });
    const stdin = JSON.stringify({
      cniVersion: '1.0.0',
      name: 'lab',
      ipam: { store: 'redis://example', ranges: [[{ subnet: '10.1.0.0/29' }]] },
    });
    const outs = await Promise.all(['a', 'b', 'c', 'd'].map((id) => runPlugin({ env: env('ADD', id), stdin, openStore })));
    const ips = outs.map((o) => (JSON.parse(o.stdout) as { ips: { address: string }[] }).ips[0]!.address);
    expect(new Set(ips).size).toBe(4);
  });

  it('answers 11 (try again later) when the store cannot be reached', async () => {
    const stdin = JSON.stringify({
      cniVersion: '1.0.0',
      name: 'lab',
      ipam: { store: 'redis://127.0.0.1:1', ranges: [[{ subnet: '10.1.0.0/29' }]] },
    });
    const r = await runPlugin({ env: env('ADD'), stdin, openStore: () => Promise.reject(new Error('ECONNREFUSED')) });
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 11, msg: 'IPAM store unavailable' });
  });
});

describe('process entry', () => {
  it('runs as a process: stdin config, CNI_* env, result on stdout, exit 0', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', main], {
      input: conf('1.0.0', {}, 'proc'),
      env: { ...process.env, ...env('ADD') },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ips: [{ address: '10.1.0.2/24', gateway: '10.1.0.1' }] });
  });
});
