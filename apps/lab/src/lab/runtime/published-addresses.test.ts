import { createMemoryStore, MemoryBackend, type Pod, type Store } from '@kemu/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../informer.js';
import { PodAddressRegistry } from './address-book.js';
import { formatPodNetwork, podNetworkAnnotation } from './pod-network-annotation.js';
import { LabAddressBook } from './published-addresses.js';

// A lab whose pods run in other processes (`kemu agent`) learns where they listen from the
// `kemu.dev/pod-network` annotation their agent writes with the pod's status.
const binding = { container: 'web', containerPort: 8080, protocol: 'TCP' as const, host: '127.0.0.1', port: 41000 };

function pod(name: string, podIP: string, phase: NonNullable<Pod['status']>['phase'] = 'Running'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      annotations: { [podNetworkAnnotation]: formatPodNetwork({ node: 'n2', ports: [{ ...binding }] }) },
    },
    spec: { nodeName: 'n2', containers: [{ name: 'web', image: 'kemu/echo' }] },
    status: { phase, podIP },
  };
}

describe('LabAddressBook', () => {
  let store: Store;
  let informers: InformerFactory;
  let local: PodAddressRegistry;
  let book: LabAddressBook;

  beforeEach(async () => {
    store = createMemoryStore({ backend: new MemoryBackend() });
    informers = new InformerFactory(store);
    local = new PodAddressRegistry();
    book = new LabAddressBook(local);
    book.follow(informers);
    await informers.start();
  });

  afterEach(async () => {
    await informers.close();
    await store.close();
  });

  const settle = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('resolves a pod another process runs from its published annotation', async () => {
    await store.create(pod('web', '10.244.2.5'));
    await settle(() => book.resolve('10.244.2.5', 8080) !== undefined);
    expect(book.resolve('10.244.2.5', 8080)).toEqual(binding);
    expect(book.resolve('10.244.2.5', 8080, 'UDP')).toBeUndefined();
    expect(book.bindingsOf('shop', 'web')).toEqual([binding]);
    expect(book.podAt('10.244.2.5')).toEqual({ namespace: 'shop', name: 'web', node: 'n2' });
  });

  it('prefers this process’s own registration (current the moment the pod attaches)', async () => {
    const own = { ...binding, port: 42000 };
    local.register(pod('web', '10.244.2.5'), '10.244.2.5', [own]);
    await store.create(pod('web', '10.244.2.5'));
    await settle(() => book.podAt('10.244.2.5') !== undefined);
    expect(book.resolve('10.244.2.5', 8080)).toEqual(own);
  });

  it('forgets a finished or deleted pod', async () => {
    const created = await store.create(pod('web', '10.244.2.5'));
    await settle(() => book.resolve('10.244.2.5', 8080) !== undefined);
    await store.update<Pod>({ ...created, status: { ...created.status, phase: 'Succeeded' } });
    await settle(() => book.resolve('10.244.2.5', 8080) === undefined);
    expect(book.resolve('10.244.2.5', 8080)).toBeUndefined();
    await store.delete({ kind: 'Pod', namespace: 'shop', name: 'web' });
    await settle(() => book.podAt('10.244.2.5') === undefined);
    expect(book.podAt('10.244.2.5')).toBeUndefined();
  });
});
