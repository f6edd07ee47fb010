// StoreReconciler: a work queue of one key over store changes (client-go's rate-limited queue
// coalesces adds of the same key; a key is never processed by two workers at once).
import { createMemoryStore, MemoryBackend, type Store } from '@kemu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreReconciler } from './reconciler.js';

let store: Store;
let reconciler: StoreReconciler | undefined;
afterEach(async () => {
  await reconciler?.close();
  await store?.close();
});

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: {} });

function start(pass: () => Promise<void>, kinds = ['ConfigMap']): StoreReconciler {
  store = createMemoryStore({ backend: new MemoryBackend() });
  reconciler = new StoreReconciler({
    store,
    relevant: (_type, object) => kinds.includes(object.kind),
    pass,
    debounceMs: 5,
    resyncMs: 50,
    onError: () => undefined,
  });
  reconciler.start();
  return reconciler;
}

describe('StoreReconciler', () => {
  it('coalesces a burst of changes into few passes and never runs two at once', async () => {
    let passes = 0;
    let concurrent = 0;
    let overlap = false;
    const r = start(async () => {
      passes++;
      concurrent++;
      if (concurrent > 1) overlap = true;
      await new Promise((resolve) => setTimeout(resolve, 10));
      concurrent--;
    });
    for (let i = 0; i < 20; i++) await store.create(configMap(`c${i}`));
    await r.nextPass();
    await r.nextPass();
    expect(passes).toBeGreaterThan(0);
    expect(passes).toBeLessThan(20);
    expect(overlap).toBe(false);
  });

  it('ignores kinds it does not watch', async () => {
    let passes = 0;
    const r = start(async () => {
      passes++;
    }, ['Secret']);
    await store.create(configMap('ignored'));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(passes).toBe(0);
    await r.nextPass(); // the resync still runs one
    expect(passes).toBe(1);
  });

  it('retries a failed pass on the resync and reports the error', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    store = createMemoryStore({ backend: new MemoryBackend() });
    reconciler = new StoreReconciler({
      store,
      relevant: (_type, object) => object.kind === 'ConfigMap',
      debounceMs: 1,
      resyncMs: 20,
      pass: async () => {
        calls++;
        if (calls === 1) throw new Error('conflict');
      },
      onError: (error) => errors.push(error),
    });
    reconciler.kick();
    await reconciler.nextPass();
    await reconciler.nextPass();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([new Error('conflict')]);
  });

  it('resolves pending waiters on close', async () => {
    store = createMemoryStore({ backend: new MemoryBackend() });
    reconciler = new StoreReconciler({
      store,
      relevant: () => false,
      pass: async () => undefined,
      resyncMs: 60_000,
      onError: () => undefined,
    });
    reconciler.start();
    const waiting = reconciler.nextPass();
    await reconciler.close();
    await expect(waiting).resolves.toBeUndefined();
  });
});
