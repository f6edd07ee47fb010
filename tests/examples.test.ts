import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = `${root}apps/lab/dist/cli.js`;

// The README's first command runs the built bin on examples/: every example must stay valid, and
// the bundle (not the sources) must be what works. `pnpm build` runs before `pnpm test` in CI.
describe('the built kemu bin on the examples', () => {
  const examples = readdirSync(`${root}examples`, { withFileTypes: true }).filter((e) => e.isDirectory());

  it.each(examples.map((e) => e.name))('validates examples/%s without errors', (name) => {
    const result = spawnSync(process.execPath, [bin, 'validate', '-f', `${root}examples/${name}`], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\d+ object\(s\) valid, 0 error\(s\)\n$/);
  });

  it('exits 1 and names the field for a broken manifest', () => {
    const result = spawnSync(process.execPath, [bin, 'validate', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 0}]}\n',
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      '<stdin>:4:23: Service/default/web: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    );
  });
});
