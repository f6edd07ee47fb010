import { createMemoryStore, MemoryBackend } from './memory-store.js';
import { describeStoreConformance } from './store.conformance.js';

// One backend per history limit: clients of a lab on it share state, as processes share a Redis.
const backends = new Map<number, MemoryBackend>();

describeStoreConformance('memory', {
  open(lab, options = {}) {
    const limit = options.historyLimit ?? 50_000;
    const backend = backends.get(limit) ?? new MemoryBackend(limit);
    backends.set(limit, backend);
    return createMemoryStore({ lab, backend });
  },
});
