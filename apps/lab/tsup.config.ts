import { defineConfig } from 'tsup';
import { kemuBuild } from '../../tooling/tsup.preset.js';

// The CLI is ESM only (it is a bin); subcommands are split into chunks loaded on demand,
// which keeps `kemu version` close to a bare `node` start.
export default defineConfig([
  kemuBuild({ index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' }),
  // The bin bundles the @kemu packages (one copy of core) and the YAML/IP libraries: resolving yaml's ~80 module files at every start costs more
  // than parsing one file, and start-up time is what a CLI is judged on.
  kemuBuild(
    { cli: 'src/cli.ts' },
    {
      format: ['esm'],
      dts: false,
      clean: false,
      noExternal: [/^@kemu\//, 'yaml', 'js-yaml', 'ipaddr.js'],
      banner: {
        js: "#!/usr/bin/env node\nimport { createRequire as __kemuCreateRequire } from 'node:module';\nconst require = __kemuCreateRequire(import.meta.url);",
      },
    },
  ),
]);
