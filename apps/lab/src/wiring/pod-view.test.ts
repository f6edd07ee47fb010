// PodTeardownView: kubelet keeps a terminating pod's volumes until its containers stopped
// (volumemanager populator: podStateProvider.ShouldPodRuntimeBeRemoved).
import { createMemoryStore, MemoryBackend, type Pod, type Store } from '@kemu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PodTeardownView } from './pod-view.js';

let store: Store;
afterEach(() => store?.close());

async function terminatingPod(): Promise<{ view: PodTeardownView; pod: Pod }> {
  store = createMemoryStore({ backend: new MemoryBackend() });
  const pod = await store.create<Pod>({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', namespace: 'default', deletionTimestamp: '2026-01-01T00:00:00Z' },
    spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'kemu/echo' }] },
  });
  return { view: new PodTeardownView(store), pod };
}

describe('PodTeardownView', () => {
  it('hides the deletionTimestamp of a terminating pod the runtime has not released', async () => {
    const { view } = await terminatingPod();
    const { items } = await view.list<Pod>('Pod');
    expect(items[0]!.metadata.deletionTimestamp).toBeUndefined();
  });

  it('shows a released pod as terminating, even one without a deletionTimestamp', async () => {
    const { view, pod } = await terminatingPod();
    view.releasePod(pod);
    expect((await view.list<Pod>('Pod')).items[0]!.metadata.deletionTimestamp).toBe('2026-01-01T00:00:00Z');
    const other = await store.create<Pod>({ ...pod, metadata: { name: 'done', namespace: 'default' } });
    view.releasePod(other);
    const done = (await view.list<Pod>('Pod')).items.find((p) => p.metadata.name === 'done')!;
    expect(done.metadata.deletionTimestamp).toBeDefined();
  });

  it('forgets released pods once they are gone, and passes other kinds through', async () => {
    const { view, pod } = await terminatingPod();
    view.releasePod(pod);
    await store.delete({ kind: 'Pod', namespace: 'default', name: 'app' });
    await view.list('Pod');
    expect(view.isReleased(pod)).toBe(false);
    await store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    expect((await view.list('ConfigMap')).items).toHaveLength(1);
  });
});
