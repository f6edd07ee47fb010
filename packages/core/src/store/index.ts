export {
  StoreAlreadyExistsError,
  StoreClosedError,
  StoreConflictError,
  StoreGoneError,
  StoreInvalidError,
  StoreNotFoundError,
  StoreUnavailableError,
} from './errors.js';
export { compileFilter, type ObjectFilter } from './filter.js';
export { keyOf, storeKey } from './keys.js';
export { createMemoryStore, MemoryBackend, MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { jsonCopy, prepareCreate, prepareUpdate } from './object-writes.js';
export { updateWithRetry } from './retry.js';
export type {
  ClaimAllResult,
  ClaimResult,
  DeleteOptions,
  ListOptions,
  ListResult,
  ObjectKey,
  Store,
  Watch,
  WatchEvent,
  WatchEventType,
  WatchOptions,
} from './types.js';
export { WatchQueue } from './watch-queue.js';
