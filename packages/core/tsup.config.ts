import { defineConfig } from 'tsup';
import { kemuBuild } from '../../tooling/tsup.preset.js';

export default defineConfig(
  kemuBuild({
    index: 'src/index.ts',
    'node/index': 'src/node/index.ts',
    'redis/index': 'src/redis/index.ts',
    'testing/index': 'src/testing/index.ts',
  }),
);
