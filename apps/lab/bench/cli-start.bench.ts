import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Median wall time of `runs` spawns of `node args…`, in ms. */
function median(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** CLI cold start against a bare `node` start, in the same run (target < 2×). */
export function runCliStartBench(): void {
  const manifest = join(tmpdir(), 'kemu-bench-small.yaml');
  writeFileSync(
    manifest,
    'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
  );
  const runs = 21;
  const bare = median(['-e', '0'], runs);
  const version = median([cli, 'version'], runs);
  const validate = median([cli, 'validate', '-f', manifest], runs);
  const line = (name: string, ms: number) =>
    `  ${name.padEnd(34)} ${ms.toFixed(1).padStart(6)} ms  ${(ms / bare).toFixed(2)}× bare node`;
  console.log(`CLI cold start (median of ${runs} spawns; target < 2× bare node):`);
  console.log(line('node -e 0', bare));
  console.log(line('kemu version', version));
  console.log(line('kemu validate -f small.yaml', validate));
}
