import { describe, expect, test } from 'vitest';
import { StoreGoneError } from './errors.js';
import { configMap, type StoreConformanceFactory, service, summarize, take, useStores } from './fixtures.conformance.js';

// Watch semantics from the Kubernetes API concepts, "Efficient detection of changes"
// (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
// a watch from a resourceVersion delivers every later change, in order, once; a watch from a
// compacted resourceVersion fails with 410 Gone; a watch with resourceVersion unset starts with
// synthetic ADDED events for the current state.

/** Watch behaviour of a store backend. */
export function watchConformance(factory: StoreConformanceFactory): void {
  describe('watch', () => {
    const stores = useStores(factory);
    const key = (name: string) => ({ kind: 'ConfigMap', namespace: 'default', name });

    test('from a resourceVersion delivers every later event in order, exactly once', async () => {
      const store = await stores.open(stores.lab());
      const start = await store.create(configMap('before'));
      const watch = store.watch({ resourceVersion: start.metadata.resourceVersion });
      const a = await store.create(configMap('a'));
      const a2 = await store.update({ ...a, data: { x: '1' } });
      const b = await store.create(configMap('b'));
      const gone = await store.delete(key('a'));
      const events = await take(watch, 4);
      expect(summarize(events)).toEqual([
        `ADDED a@${a.metadata.resourceVersion}`,
        `MODIFIED a@${a2.metadata.resourceVersion}`,
        `ADDED b@${b.metadata.resourceVersion}`,
        `DELETED a@${gone.metadata.resourceVersion}`,
      ]);
      expect(events[1]?.object).toEqual(a2);
      expect(events[3]?.object).toEqual(gone);
      watch.close();
      expect((await watch.next()).done).toBe(true);
    });

    test('from a resourceVersion replays history written before the watch started', async () => {
      const store = await stores.open(stores.lab());
      const first = await store.create(configMap('a'));
      await store.create(configMap('b'));
      await store.create(configMap('c'));
      const watch = store.watch({ resourceVersion: first.metadata.resourceVersion });
      expect(summarize(await take(watch, 2)).map((line) => line.split('@')[0])).toEqual(['ADDED b', 'ADDED c']);
      watch.close();
    });

    // The informer pattern: list, then watch from the list's resourceVersion; nothing is missed
    // and nothing already listed is delivered again.
    test("from a list's resourceVersion delivers exactly the writes after the list", async () => {
      const lab = stores.lab();
      const store = await stores.open(lab);
      await store.create(configMap('listed'));
      const list = await store.list('ConfigMap');
      const writer = await stores.open(lab);
      await writer.create(configMap('after'));
      const watch = store.watch({ kind: 'ConfigMap', resourceVersion: list.resourceVersion });
      await writer.update({ ...configMap('listed'), data: { x: '1' } });
      expect(summarize(await take(watch, 2)).map((line) => line.split('@')[0])).toEqual(['ADDED after', 'MODIFIED listed']);
      watch.close();
    });

    // Nothing at or before the requested resourceVersion is delivered, even when the watch was
    // opened before the store got there.
    test('from a resourceVersion ahead of the store delivers only the writes after it', async () => {
      const store = await stores.open(stores.lab());
      const first = await store.create(configMap('a'));
      const watch = store.watch({ resourceVersion: String(Number(first.metadata.resourceVersion) + 2) });
      await store.create(configMap('b'));
      await store.create(configMap('c'));
      const d = await store.create(configMap('d'));
      expect(summarize(await take(watch, 1))).toEqual([`ADDED d@${d.metadata.resourceVersion}`]);
      watch.close();
    });

    test('with resourceVersion unset starts with synthetic ADDED events, then follows changes', async () => {
      const store = await stores.open(stores.lab());
      const a = await store.create(configMap('a'));
      await store.create(configMap('b'));
      const watch = store.watch({ kind: 'ConfigMap' });
      const initial = await take(watch, 2);
      expect(initial.map((event) => event.type)).toEqual(['ADDED', 'ADDED']);
      expect(initial[0]?.object).toEqual(a);
      const c = await store.create(configMap('c'));
      expect(summarize(await take(watch, 1))).toEqual([`ADDED c@${c.metadata.resourceVersion}`]);
      watch.close();
    });

    test('filters by kind, namespace and label selector', async () => {
      const store = await stores.open(stores.lab());
      const watch = store.watch({ kind: 'ConfigMap', namespace: 'default', labelSelector: 'app=web' });
      await store.create(configMap('skip-labels', { labels: { app: 'db' } }));
      await store.create(configMap('skip-namespace', { namespace: 'other', labels: { app: 'web' } }));
      await store.create({
        ...service('skip-kind'),
        metadata: { name: 'skip-kind', namespace: 'default', labels: { app: 'web' } },
      });
      await store.create(configMap('match', { labels: { app: 'web' } }));
      expect(summarize(await take(watch, 1)).map((line) => line.split('@')[0])).toEqual(['ADDED match']);
      watch.close();
    });

    test("sees another client's writes", async () => {
      const lab = stores.lab();
      const reader = await stores.open(lab);
      const writer = await stores.open(lab);
      const watch = reader.watch({ resourceVersion: (await reader.list('ConfigMap')).resourceVersion });
      const created = await writer.create(configMap('a'));
      expect((await take(watch, 1))[0]?.object).toEqual(created);
      watch.close();
    });

    // 410 Gone: "the requested watch operations failed because the historical version of that
    // resource is not available" — list again and watch from the list's resourceVersion.
    test('from a compacted resourceVersion fails with StoreGoneError; a recent one still works', async () => {
      const store = await stores.open(stores.lab(), { historyLimit: 10 });
      const first = await store.create(configMap('first'));
      let last = first;
      // Redis trims whole stream nodes (100 entries by default), so write well past the limit.
      for (let i = 0; i < 300; i++) last = await store.update({ ...configMap('first'), data: { i: String(i) } });
      const tooOld = store.watch({ resourceVersion: first.metadata.resourceVersion });
      await expect(tooOld.next()).rejects.toThrow(StoreGoneError);
      const recent = store.watch({ resourceVersion: String(Number(last.metadata.resourceVersion) - 3) });
      expect(await take(recent, 3)).toHaveLength(3);
      recent.close();
    });

    test('closing the store ends its watches', async () => {
      const store = await stores.open(stores.lab());
      const watch = store.watch({ resourceVersion: '1' });
      const pending = watch.next();
      await store.close();
      expect((await pending).done).toBe(true);
    });
  });
}
