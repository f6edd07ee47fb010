import type { Options } from 'tsup';

/** One build for every package: ESM + CJS + .d.ts per entry, sources as shipped, no bundling of deps. */
export function kemuBuild(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { composite: false } },
    tsconfig: 'tsconfig.build.json',
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    clean: true,
    splitting: true,
    ...overrides,
  };
}
