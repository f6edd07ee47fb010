import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { kemuBuild } from '../../tooling/tsup.preset.js';

export default defineConfig([
  kemuBuild({
    index: 'src/index.ts',
    'plugin/index': 'src/plugin/index.ts',
    'agent/index': 'src/agent/index.ts',
  }),
  // The plugin's process entry: ESM only (top-level await), one file with @kemu/core bundled so
  // tree shaking leaves out manifests and YAML — process start is what a CNI plugin pays per pod.
  kemuBuild(
    { 'plugin/main': 'src/plugin/main.ts' },
    {
      format: ['esm'],
      dts: false,
      clean: false,
      splitting: false,
      noExternal: [/^@kemu\/core$/, 'ipaddr.js'],
      external: ['@kemu/core/redis'],
      // Core's sources (not its one-chunk dist) so that unused modules drop out.
      esbuildOptions(options) {
        options.alias = { '@kemu/core': fileURLToPath(new URL('../core/src/index.ts', import.meta.url)) };
      },
    },
  ),
]);
