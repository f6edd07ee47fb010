// `pnpm bench` for @kemu/core: each benchmark prints its figures next to the peer or limit
// measured in the same run; they run one after another so they do not compete for the CPU.
import { runManifestBench } from './manifests.bench.js';
import { runStoreBench } from './store.bench.js';

runManifestBench();
await runStoreBench();
