// Wall time of one ADD through bin/kemu-cni (standalone, and as a shim forwarding to an agent's
// unix socket) versus the real host-local, in the same run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPluginServer } from '../src/plugin/index.js';

function exec(bin: string, stdin: string, env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(bin, [], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('close', resolve);
    child.stdin.end(stdin);
  });
}

async function perAdd(bin: string, dir: string, n: number, extra: Record<string, string> = {}): Promise<number> {
  const stdin = JSON.stringify({
    cniVersion: '1.0.0',
    name: 'bench',
    ipam: { dataDir: dir, ranges: [[{ subnet: '10.1.0.0/16' }]] },
  });
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const code = await exec(bin, stdin, {
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: `c${i}`,
      CNI_IFNAME: 'eth0',
      CNI_NETNS: '/x',
      CNI_PATH: '/x',
      ...extra,
    });
    if (code !== 0) throw new Error(`${bin} exited ${code}`);
  }
  return (performance.now() - start) / n;
}

export async function benchPlugin(): Promise<void> {
  const bin = fileURLToPath(new URL('../bin/kemu-cni', import.meta.url));
  const built = fileURLToPath(new URL('../dist/plugin/main.js', import.meta.url));
  const hostLocal = ['/usr/lib/cni/host-local', '/opt/cni/bin/host-local'].find((p) => existsSync(p));
  if (!existsSync(built)) return void console.log('plugin: skipped (run `pnpm --filter @kemu/cni build` first)');
  const dir = mkdtempSync(join(tmpdir(), 'kemu-cni-bench-'));
  const socketPath = join(dir, 'cni.sock');
  const server = await startPluginServer({ socketPath });
  try {
    const standalone = await perAdd(bin, join(dir, 'kemu'), 20, { KEMU_CNI_SOCKET: join(dir, 'none.sock') });
    const thick = await perAdd(bin, join(dir, 'thick'), 40, { KEMU_CNI_SOCKET: socketPath });
    const node = (() => {
      const start = performance.now();
      for (let i = 0; i < 10; i++) spawnSync(process.execPath, ['-e', '0']);
      return (performance.now() - start) / 10;
    })();
    const real = hostLocal ? await perAdd(hostLocal, join(dir, 'hl'), 40) : Number.NaN;
    const x = (v: number) => `${v.toFixed(1)} ms = ${(v / real).toFixed(1)}x`;
    console.log(
      `plugin: ADD wall time host-local ${real.toFixed(1)} ms; kemu-cni via agent socket ${x(thick)}; kemu-cni standalone ${x(standalone)} (target <= 2x; bare \`node -e 0\` ${node.toFixed(1)} ms)`,
    );
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}
