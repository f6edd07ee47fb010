import { describe, expect, test } from 'vitest';
import { claimsConformance } from './claims.conformance.js';
import {
  StoreAlreadyExistsError,
  StoreClosedError,
  StoreConflictError,
  StoreInvalidError,
  StoreNotFoundError,
} from './errors.js';
import { type ConfigMapFixture, configMap, type StoreConformanceFactory, service, useStores } from './fixtures.conformance.js';
import { watchConformance } from './watch.conformance.js';

export type { StoreConformanceFactory } from './fixtures.conformance.js';

// The behaviour every store backend must have, from the Kubernetes API concepts
// (https://kubernetes.io/docs/reference/using-api/api-concepts/): resource versions, "efficient
// detection of changes" (watch) and 410 Gone. Each backend's test file is a few lines calling
// this, as hono runs one router suite against every router.

/** Runs the store conformance suite against one backend. */
export function describeStoreConformance(name: string, factory: StoreConformanceFactory): void {
  describe(`${name} store conformance`, () => {
    objectsConformance(factory);
    watchConformance(factory);
    claimsConformance(factory);
  });
}

const key = (name: string) => ({ kind: 'ConfigMap', namespace: 'default', name });

function objectsConformance(factory: StoreConformanceFactory): void {
  const stores = useStores(factory);

  describe('objects', () => {
    // api-concepts "Resource versions": the server sets metadata.resourceVersion; uid,
    // creationTimestamp and generation (starting at 1) are set on create.
    test('create sets resourceVersion, uid, creationTimestamp and generation 1', async () => {
      const store = await stores.open(stores.lab());
      const created = await store.create(configMap('a', { data: { x: '1' } }));
      expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(created.metadata.generation).toBe(1);
      expect(await store.get(key('a'))).toEqual(created);
    });

    // A create of an existing name answers 409 AlreadyExists.
    test('create of an existing object fails with AlreadyExists', async () => {
      const store = await stores.open(stores.lab());
      await store.create(configMap('a'));
      await expect(store.create(configMap('a'))).rejects.toThrow(StoreAlreadyExistsError);
    });

    test('get of a missing object answers undefined', async () => {
      const store = await stores.open(stores.lab());
      expect(await store.get(key('missing'))).toBeUndefined();
    });

    test('a namespaced kind without namespace is invalid', async () => {
      const store = await stores.open(stores.lab());
      const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } };
      await expect(store.create(object)).rejects.toThrow(StoreInvalidError);
    });

    // api-concepts "Resource versions": an update carrying the current resourceVersion succeeds
    // and the object gets a new, larger one.
    test('update with the current resourceVersion succeeds and bumps it', async () => {
      const store = await stores.open(stores.lab());
      const created = await store.create(configMap('a', { data: { x: '1' } }));
      const updated = await store.update({ ...created, data: { x: '2' } });
      expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      expect(await store.get(key('a'))).toEqual(updated);
    });

    // Optimistic concurrency: a stale resourceVersion is a 409 Conflict and nothing changes.
    test('update with a stale resourceVersion fails with Conflict and changes nothing', async () => {
      const store = await stores.open(stores.lab());
      const created = await store.create(configMap('a', { data: { x: '1' } }));
      const current = await store.update({ ...created, data: { x: '2' } });
      await expect(store.update({ ...created, data: { x: '3' } })).rejects.toThrow(StoreConflictError);
      expect(await store.get(key('a'))).toEqual(current);
    });

    // An update without metadata.resourceVersion is unconditional (kubectl replace --force style).
    test('update without resourceVersion is unconditional', async () => {
      const store = await stores.open(stores.lab());
      await store.create(configMap('a', { data: { x: '1' } }));
      await store.update({ ...configMap('a'), data: { x: 'last' } });
      expect((await store.get<ConfigMapFixture>(key('a')))?.data).toEqual({ x: 'last' });
    });

    test('update of a missing object fails with NotFound', async () => {
      const store = await stores.open(stores.lab());
      await expect(store.update(configMap('missing'))).rejects.toThrow(StoreNotFoundError);
    });

    // metadata.generation "is incremented by the system when the desired state (spec) changes"
    // (ObjectMeta docs); metadata and status changes leave it alone.
    test('generation bumps on a spec change only', async () => {
      const store = await stores.open(stores.lab());
      const created = await store.create(service('web'));
      const relabeled = await store.update({ ...created, metadata: { ...created.metadata, labels: { a: 'b' } } });
      expect(relabeled.metadata.generation).toBe(1);
      const withStatus = await store.update({ ...relabeled, status: { loadBalancer: {} } });
      expect(withStatus.metadata.generation).toBe(1);
      const respecced = await store.update({ ...withStatus, spec: { ports: [{ port: 81, protocol: 'TCP' }] } });
      expect(respecced.metadata.generation).toBe(2);
      expect((await store.get({ kind: 'Service', namespace: 'default', name: 'web' }))?.metadata.generation).toBe(2);
    });

    // uid and creationTimestamp are the server's: an update cannot change them.
    test('update keeps uid and creationTimestamp', async () => {
      const store = await stores.open(stores.lab());
      const created = await store.create(configMap('a'));
      const updated = await store.update({
        ...created,
        metadata: { ...created.metadata, uid: 'forged', creationTimestamp: '2000-01-01T00:00:00Z' },
      });
      expect(updated.metadata.uid).toBe(created.metadata.uid);
      expect(updated.metadata.creationTimestamp).toBe(created.metadata.creationTimestamp);
    });

    // DELETE answers the object as deleted; its resourceVersion is the deletion's.
    test('delete returns the object at the deletion resourceVersion', async () => {
      const store = await stores.open(stores.lab());
      const created = await store.create(configMap('a', { data: { x: '1' } }));
      const deleted = await store.delete(key('a'));
      expect(deleted.metadata.uid).toBe(created.metadata.uid);
      expect(Number(deleted.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      expect(await store.get(key('a'))).toBeUndefined();
    });

    // DeleteOptions.preconditions.resourceVersion: a stale one is a Conflict.
    test('delete with a resourceVersion precondition checks it', async () => {
      const store = await stores.open(stores.lab());
      const created = await store.create(configMap('a'));
      const updated = await store.update({ ...created, data: { x: '2' } });
      await expect(store.delete(key('a'), { resourceVersion: created.metadata.resourceVersion })).rejects.toThrow(
        StoreConflictError,
      );
      await store.delete(key('a'), { resourceVersion: updated.metadata.resourceVersion });
      expect(await store.get(key('a'))).toBeUndefined();
    });

    test('delete of a missing object fails with NotFound', async () => {
      const store = await stores.open(stores.lab());
      await expect(store.delete(key('missing'))).rejects.toThrow(StoreNotFoundError);
    });

    // api-concepts "Retrieving large results sets in chunks"/"Resource versions": a list carries
    // the collection's resourceVersion, at least that of every item in it.
    test('list filters by namespace and label selector and returns a resourceVersion not older than its items', async () => {
      const store = await stores.open(stores.lab());
      await store.create(configMap('a', { labels: { app: 'web' } }));
      await store.create(configMap('b', { labels: { app: 'db' } }));
      await store.create(configMap('c', { namespace: 'other', labels: { app: 'web' } }));
      await store.create(service('web'));
      const all = await store.list('ConfigMap');
      expect(all.items.map((item) => item.metadata.name)).toEqual(['a', 'b', 'c']);
      for (const item of all.items)
        expect(Number(all.resourceVersion)).toBeGreaterThanOrEqual(Number(item.metadata.resourceVersion));
      expect((await store.list('ConfigMap', { namespace: 'default' })).items.map((item) => item.metadata.name)).toEqual([
        'a',
        'b',
      ]);
      expect((await store.list('ConfigMap', { labelSelector: 'app=web' })).items.map((item) => item.metadata.name)).toEqual([
        'a',
        'c',
      ]);
      expect((await store.list('ConfigMap', { namespace: 'default', labelSelector: 'app in (web)' })).items).toHaveLength(1);
    });

    // One resourceVersion sequence for the whole lab, like etcd's revision across all keys.
    test('resourceVersion grows across kinds', async () => {
      const store = await stores.open(stores.lab());
      const versions: number[] = [];
      versions.push(Number((await store.create(configMap('a'))).metadata.resourceVersion));
      versions.push(Number((await store.create(service('s'))).metadata.resourceVersion));
      versions.push(Number((await store.update({ ...configMap('a'), data: { x: '1' } })).metadata.resourceVersion));
      versions.push(Number((await store.delete({ kind: 'Service', namespace: 'default', name: 's' })).metadata.resourceVersion));
      expect([...versions].sort((a, b) => a - b)).toEqual(versions);
      expect(new Set(versions).size).toBe(versions.length);
    });

    test('two clients of one lab share its objects', async () => {
      const lab = stores.lab();
      const first = await stores.open(lab);
      const second = await stores.open(lab);
      const created = await first.create(configMap('a'));
      expect(await second.get(key('a'))).toEqual(created);
    });

    test('labs on one backend do not see each other', async () => {
      const one = await stores.open(stores.lab());
      const two = await stores.open(stores.lab());
      await one.create(configMap('a', { data: { lab: 'one' } }));
      expect(await two.get(key('a'))).toBeUndefined();
      await two.create(configMap('a', { data: { lab: 'two' } }));
      expect((await one.list('ConfigMap')).items).toHaveLength(1);
      expect((await two.get<ConfigMapFixture>(key('a')))?.data).toEqual({ lab: 'two' });
      await one.claim('ip/10.0.0.1', 'node-a');
      expect(await two.holderOf('ip/10.0.0.1')).toBeUndefined();
    });

    test('a closed store fails every call with StoreClosedError', async () => {
      const store = await stores.open(stores.lab());
      await store.close();
      await expect(store.get(key('a'))).rejects.toThrow(StoreClosedError);
      await expect(store.create(configMap('a'))).rejects.toThrow(StoreClosedError);
      await expect(store.list('ConfigMap')).rejects.toThrow(StoreClosedError);
      await expect(store.claim('k', 'h')).rejects.toThrow(StoreClosedError);
      expect(() => store.watch()).toThrow(StoreClosedError);
    });
  });
}
