import { afterEach } from 'vitest';
import type { KubernetesObject } from '../objects/meta.js';
import type { Store, Watch, WatchEvent } from './types.js';

/** Opens clients of a lab on one shared backend: two clients of one lab are two processes on one Redis. */
export interface StoreConformanceFactory {
  open(lab: string, options?: { historyLimit?: number }): Store | Promise<Store>;
}

/** Every lab this run's suites use starts with this, so a shared Redis can be cleaned after the run. */
export const conformanceLabPrefix = `conformance-${process.pid}-${Math.random().toString(36).slice(2, 8)}-`;

/** Opens clients for one test and closes them after it; each `lab()` is a fresh, unique lab. */
export function useStores(factory: StoreConformanceFactory) {
  const opened: Store[] = [];
  let labs = 0;
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  return {
    /** A lab name no other test (or earlier run on a shared Redis) uses. */
    lab: () => `${conformanceLabPrefix}${++labs}-${Math.random().toString(36).slice(2, 6)}`,
    /** Opens a client of `lab`. */
    open: async (lab: string, options?: { historyLimit?: number }): Promise<Store> => {
      const store = await factory.open(lab, options);
      opened.push(store);
      return store;
    },
  };
}

/** A ConfigMap as the fixtures write it (namespaced, no spec: a data change counts as a spec change). */
export interface ConfigMapFixture extends KubernetesObject {
  data: Record<string, string>;
}

/** A ConfigMap fixture. */
export function configMap(
  name: string,
  options: { namespace?: string; labels?: Record<string, string>; data?: Record<string, string> } = {},
): ConfigMapFixture {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: options.namespace ?? 'default', ...(options.labels ? { labels: options.labels } : {}) },
    data: options.data ?? {},
  };
}

/** A Service with a spec and a status, for the generation rules. */
export interface ServiceFixture extends KubernetesObject {
  spec: { ports: Array<{ port: number; protocol: string }> };
  status?: Record<string, unknown>;
}

/** A Service fixture. */
export function service(name: string, port = 80): ServiceFixture {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { ports: [{ port, protocol: 'TCP' }] },
  };
}

/** Reads `count` events, failing instead of hanging when they do not come. */
export async function take<T extends KubernetesObject>(
  watch: Watch<T>,
  count: number,
  timeoutMs = 5000,
): Promise<WatchEvent<T>[]> {
  const events: WatchEvent<T>[] = [];
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`watch gave ${events.length} of ${count} events`)),
        Math.max(1, deadline - Date.now()),
      );
    });
    try {
      const result = await Promise.race([watch.next(), timeout]);
      if (result.done) throw new Error(`watch ended after ${events.length} of ${count} events`);
      events.push(result.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return events;
}

/** `type name@rv` per event: compact to compare in assertions. */
export function summarize(events: WatchEvent[]): string[] {
  return events.map((event) => `${event.type} ${event.object.metadata.name}@${event.object.metadata.resourceVersion}`);
}
