import { defineConfig } from 'tsup';
import { kemuBuild } from '../../tooling/tsup.preset.js';

export default defineConfig(
  kemuBuild({
    index: 'src/index.ts',
    'proxy/index': 'src/proxy/index.ts',
  }),
);
