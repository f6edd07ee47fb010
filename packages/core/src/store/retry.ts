import type { KubernetesObject } from '../objects/meta.js';
import { StoreConflictError, StoreNotFoundError } from './errors.js';
import type { ObjectKey, Store } from './types.js';

/**
 * Read-modify-write with retry on conflict, as client-go's `retry.RetryOnConflict`: `mutate`
 * gets the latest object and returns the new one (or undefined to leave it as it is).
 */
export async function updateWithRetry<T extends KubernetesObject>(
  store: Store,
  key: ObjectKey,
  mutate: (current: T) => T | undefined,
  attempts = 10,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.get<T>(key);
    if (!current) throw new StoreNotFoundError(`${key.kind}/${key.namespace ? `${key.namespace}/` : ''}${key.name}`);
    const next = mutate(current);
    if (!next) return current;
    try {
      return await store.update(next);
    } catch (error) {
      if (!(error instanceof StoreConflictError) || attempt >= attempts) throw error;
    }
  }
}
