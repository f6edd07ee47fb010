import { defineConfig } from 'tsup';
import { kemuBuild } from '../../tooling/tsup.preset.js';

export default defineConfig(
  kemuBuild(
    {
      index: 'src/index.ts',
      'server/index': 'src/server/index.ts',
    },
    // import.meta.url (to find proto/csi.proto) in the CommonJS build too
    { shims: true },
  ),
);
