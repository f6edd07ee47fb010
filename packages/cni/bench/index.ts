// @kemu/cni benchmarks: each figure printed next to its peer measured in the same run; no assertions.
// Run: pnpm --filter @kemu/cni build && pnpm --filter @kemu/cni bench
// CPU-bound model benches run first, before the socket benches fill the heap.
import { benchIpamMemory, benchIpamRedis } from './ipam.js';
import { benchPlugin } from './plugin.js';
import { benchPolicy } from './policy.js';
import { benchTunnel } from './tunnel.js';
import { benchVxlan } from './vxlan.js';

benchVxlan();
benchPolicy();
await benchIpamMemory();
await benchIpamRedis();
await benchPlugin();
await benchTunnel();
// A Redis client can keep a reconnect timer after its server is stopped; the figures are printed.
process.exit(0);
