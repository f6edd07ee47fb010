export type {
  Store,
  ObjectKey,
  WatchEvent,
  WatchEventType,
  Watch,
  WatchOptions,
  ListOptions,
  ListResult,
  DeleteOptions,
  ClaimResult,
} from './types.js';
export {
  StoreNotFoundError,
  StoreAlreadyExistsError,
  StoreConflictError,
  StoreGoneError,
  StoreInvalidError,
  StoreUnavailableError,
  StoreClosedError,
} from './errors.js';
export { MemoryStore, MemoryBackend, type MemoryStoreOptions, createMemoryStore } from './memory-store.js';
export { storeKey, keyOf } from './keys.js';
export { WatchQueue } from './watch-queue.js';
export { compileFilter, type ObjectFilter } from './filter.js';
export { prepareCreate, prepareUpdate, jsonCopy } from './object-writes.js';
export { updateWithRetry } from './retry.js';
