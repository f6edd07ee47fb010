import { type KubernetesObject, keyOf, storeKey } from '@kemu/core';

/**
 * Read-your-writes over an informer cache: a controller records the objects its own writes
 * returned, and sees them (created, changed, deleted) before its watch delivers them. This is what
 * client-go controllers get from "expectations": without it a ReplicaSet would create its pods
 * twice when it reconciles again before the cache caught up.
 */
export class OwnWrites<T extends KubernetesObject> {
  private readonly recent = new Map<string, { object: T; deleted: boolean; at: number }>();

  constructor(private readonly ttlMs = 30_000) {}

  /** Records the object a write returned (`deleted` when the write removed it). */
  record(object: T, deleted = false): void {
    this.recent.set(storeKey(keyOf(object)), { object, deleted, at: Date.now() });
  }

  /** The cache's objects with this controller's newer writes laid over them. */
  merge(cached: readonly T[], filter: (object: T) => boolean = () => true): T[] {
    const byKey = new Map<string, T>();
    for (const object of cached) byKey.set(storeKey(keyOf(object)), object);
    const now = Date.now();
    for (const [key, entry] of this.recent) {
      const current = byKey.get(key);
      const newer = Number(entry.object.metadata.resourceVersion ?? 0) > Number(current?.metadata.resourceVersion ?? -1);
      // The cache caught up, or the entry is too old to trust over it: forget the entry.
      if (!newer || now - entry.at > this.ttlMs) {
        this.recent.delete(key);
        continue;
      }
      if (entry.deleted) byKey.delete(key);
      else if (filter(entry.object)) byKey.set(key, entry.object);
    }
    return [...byKey.values()].filter(filter);
  }
}
