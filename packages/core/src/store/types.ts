import type { KubernetesObject } from '../objects/meta.js';

/** Names one object: kind, namespace (omit for cluster-scoped kinds) and name. */
export interface ObjectKey {
  kind: string;
  namespace?: string;
  name: string;
}

/** ADDED, MODIFIED or DELETED, as the API server's watch reports them. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change. `object.metadata.resourceVersion` is the change's resourceVersion. */
export interface WatchEvent<T extends KubernetesObject = KubernetesObject> {
  type: WatchEventType;
  object: T;
}

/** The answer of `list`: the items and the resourceVersion to watch from. */
export interface ListResult<T extends KubernetesObject = KubernetesObject> {
  items: T[];
  resourceVersion: string;
}

/** Filters for list and watch. */
export interface ListOptions {
  /** Only this namespace. */
  namespace?: string;
  /** String-form label selector (`app=web,tier in (a,b)`). */
  labelSelector?: string;
}

/** Options of `watch`. */
export interface WatchOptions extends ListOptions {
  /** Only this kind; every kind when omitted. */
  kind?: string;
  /**
   * Deliver every event after this resourceVersion. When omitted, the watch starts with a
   * synthetic ADDED event per existing object, then follows changes (the API server's "0"/unset
   * semantics for a fresh informer).
   */
  resourceVersion?: string;
}

/**
 * A live watch: an async iterator of events in resourceVersion order, each exactly once.
 * It throws {@link StoreGoneError} when the start point was compacted away.
 */
export interface Watch<T extends KubernetesObject = KubernetesObject> extends AsyncIterableIterator<WatchEvent<T>> {
  /** Stops the watch; a pending `next()` resolves `done`. */
  close(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of `delete`. */
export interface DeleteOptions {
  /** Precondition: delete only if the object is still at this resourceVersion. */
  resourceVersion?: string;
}

/** The answer of `claim`. */
export interface ClaimResult {
  /** True when this call (or an earlier one by the same holder) owns the key. */
  claimed: boolean;
  /** The current holder. */
  holder: string;
}

/** The answer of `claimAll`. */
export interface ClaimAllResult {
  /** True when every key is now held by the holder asked for it (by this call or an earlier one). */
  claimed: boolean;
  /**
   * The holder of each key before the call, in the order asked (undefined when it was free): on
   * success it tells a new claim from one the holder already had.
   */
  holders: (string | undefined)[];
}

/**
 * The state of one lab, with the Kubernetes API server's semantics: every write bumps one
 * monotonic resourceVersion; updates are compare-and-swap; watches deliver each later event once,
 * in order. Two backends implement it: memory (the default) and Redis.
 */
export interface Store {
  /** Backend name for messages: `memory` or the Redis URL (without password). */
  readonly description: string;
  /** Creates an object; sets resourceVersion, uid, creationTimestamp and generation. */
  create<T extends KubernetesObject>(object: T): Promise<T>;
  /** Reads one object, or undefined when it does not exist. */
  get<T extends KubernetesObject>(key: ObjectKey): Promise<T | undefined>;
  /**
   * Replaces an object. With `metadata.resourceVersion` set it is compare-and-swap and a stale
   * version throws {@link StoreConflictError}; without it the write is unconditional.
   */
  update<T extends KubernetesObject>(object: T): Promise<T>;
  /** Deletes an object and returns it as it was deleted (with the deletion's resourceVersion). */
  delete<T extends KubernetesObject>(key: ObjectKey, options?: DeleteOptions): Promise<T>;
  /** Lists one kind; the resourceVersion is the store's at the moment of the snapshot. */
  list<T extends KubernetesObject>(kind: string, options?: ListOptions): Promise<ListResult<T>>;
  /** Watches changes; see {@link WatchOptions}. */
  watch<T extends KubernetesObject>(options?: WatchOptions): Watch<T>;
  /**
   * Claims `key` for `holder` if nobody holds it, atomically across every client of the store.
   * Claiming again as the same holder succeeds (idempotent).
   */
  claim(key: string, holder: string): Promise<ClaimResult>;
  /**
   * Claims several keys at once, all or none, atomically across every client: succeeds when each
   * key is free or already held by its holder; otherwise claims nothing and reports the holders
   * (one round trip where {@link claim} twice would need two, and no undo after a partial win).
   * Keys must be distinct. Both kemu backends implement it; a wrapper may leave it out, so
   * callers fall back to {@link claim}.
   */
  claimAll?(claims: ReadonlyArray<readonly [key: string, holder: string]>): Promise<ClaimAllResult>;
  /** Releases `key` if `holder` holds it; returns whether it did. */
  release(key: string, holder: string): Promise<boolean>;
  /** The current holder of `key`, if any. */
  holderOf(key: string): Promise<string | undefined>;
  /** Every claimed key under `prefix`, with its holder. */
  claims(prefix: string): Promise<Map<string, string>>;
  /** Closes the store's connections and ends its watches. */
  close(): Promise<void>;
}
