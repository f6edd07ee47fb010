import { defineConfig } from 'tsup';
import { kemuBuild } from '../../tooling/tsup.preset.js';

// The CLI is ESM only (it is a bin); subcommands are split into chunks loaded on demand,
// which keeps `kemu version` close to a bare `node` start.
export default defineConfig([
  kemuBuild({ index: 'src/index.ts' }),
  kemuBuild({ cli: 'src/cli.ts' }, { format: ['esm'], dts: false, clean: false, banner: { js: '#!/usr/bin/env node' } }),
]);
