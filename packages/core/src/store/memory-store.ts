import type { KubernetesObject } from '../objects/meta.js';
import { checkDistinctClaimKeys } from './claim-keys.js';
import { StoreAlreadyExistsError, StoreClosedError, StoreConflictError, StoreGoneError, StoreNotFoundError } from './errors.js';
import { compileFilter } from './filter.js';
import { keyOf, parseResourceVersion, storeKey, writeKeyOf } from './keys.js';
import { jsonCopy, prepareCreate, prepareUpdate } from './object-writes.js';
import type {
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
import { WatchQueue } from './watch-queue.js';

/** One stored change: serialized once, parsed per reader so nobody shares a mutable object. */
interface LoggedEvent {
  type: WatchEventType;
  resourceVersion: number;
  json: string;
}

/** One lab's state inside a {@link MemoryBackend}. */
class LabState {
  resourceVersion = 0;
  readonly objects = new Map<string, { kind: string; json: string }>();
  readonly history: LoggedEvent[] = [];
  /** Index in `history` of the oldest retained event (the array is trimmed in batches). */
  historyStart = 0;
  readonly claims = new Map<string, string>();
  readonly watchers = new Set<(event: LoggedEvent) => void>();
}

/**
 * Process-wide memory that several {@link MemoryStore} clients can share, the way several
 * processes share one Redis; each lab name is a separate keyspace.
 */
export class MemoryBackend {
  private readonly labs = new Map<string, LabState>();

  constructor(
    /** Events retained for watches that start in the past; older ones answer 410 Gone. */
    readonly historyLimit = 50_000,
  ) {}

  /** @internal */
  lab(name: string): LabState {
    let state = this.labs.get(name);
    if (!state) {
      state = new LabState();
      this.labs.set(name, state);
    }
    return state;
  }
}

const defaultBackend = new MemoryBackend();

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Lab name: labs on one backend never see each other. Default `default`. */
  lab?: string;
  /** Shared memory; each call without one shares a process-wide default backend. */
  backend?: MemoryBackend;
}

/**
 * The in-memory store: a complete implementation (not a mock) that passes the same conformance
 * suite as Redis. Everything happens synchronously inside each call, so operations are atomic.
 */
export class MemoryStore implements Store {
  readonly description: string;
  private readonly state: LabState;
  private readonly historyLimit: number;
  private closed = false;
  private readonly openWatches = new Set<{ close(): void }>();

  constructor(options: MemoryStoreOptions = {}) {
    const backend = options.backend ?? defaultBackend;
    const lab = options.lab ?? 'default';
    this.state = backend.lab(lab);
    this.historyLimit = backend.historyLimit;
    this.description = `memory (lab ${lab})`;
  }

  async create<T extends KubernetesObject>(object: T): Promise<T> {
    this.checkOpen();
    const key = this.keyFor(object);
    if (this.state.objects.has(key)) throw new StoreAlreadyExistsError(key);
    const prepared = prepareCreate(object, new Date());
    return this.write('ADDED', key, prepared);
  }

  async get<T extends KubernetesObject>(key: ObjectKey): Promise<T | undefined> {
    this.checkOpen();
    const entry = this.state.objects.get(storeKey(key));
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  }

  async update<T extends KubernetesObject>(object: T): Promise<T> {
    this.checkOpen();
    const key = this.keyFor(object);
    const entry = this.state.objects.get(key);
    if (!entry) throw new StoreNotFoundError(key);
    const current = JSON.parse(entry.json) as KubernetesObject;
    const expected = object.metadata.resourceVersion;
    if (expected !== undefined && expected !== '') {
      parseResourceVersion(expected);
      if (expected !== current.metadata.resourceVersion) {
        throw new StoreConflictError(key, expected, current.metadata.resourceVersion!);
      }
    }
    return this.write('MODIFIED', key, prepareUpdate(object, current));
  }

  async delete<T extends KubernetesObject>(objectKey: ObjectKey, options: DeleteOptions = {}): Promise<T> {
    this.checkOpen();
    const key = storeKey(objectKey);
    const entry = this.state.objects.get(key);
    if (!entry) throw new StoreNotFoundError(key);
    const current = JSON.parse(entry.json) as T;
    const expected = options.resourceVersion;
    // An empty precondition is no precondition, as for update.
    if (expected !== undefined && expected !== '' && expected !== current.metadata.resourceVersion) {
      throw new StoreConflictError(key, expected, current.metadata.resourceVersion!);
    }
    this.state.objects.delete(key);
    return this.write('DELETED', key, current, false);
  }

  async list<T extends KubernetesObject>(kind: string, options: ListOptions = {}): Promise<ListResult<T>> {
    this.checkOpen();
    const filter = compileFilter({ ...options, kind });
    const items: T[] = [];
    for (const entry of this.state.objects.values()) {
      if (entry.kind !== kind) continue;
      const object = JSON.parse(entry.json) as T;
      if (filter(object)) items.push(object);
    }
    items.sort((a, b) => compareKeys(storeKey(keyOf(a)), storeKey(keyOf(b))));
    return { items, resourceVersion: String(this.state.resourceVersion) };
  }

  watch<T extends KubernetesObject>(options: WatchOptions = {}): Watch<T> {
    this.checkOpen();
    const queue = new WatchQueue<T>();
    const filter = compileFilter(options);
    // Events at or before the start point are never delivered, even live ones (a watch from a
    // resourceVersion newer than the store's sees only changes after it, as Redis streams do).
    let after = 0;
    const deliver = (event: LoggedEvent) => {
      if (event.resourceVersion !== 0 && event.resourceVersion <= after) return;
      const object = JSON.parse(event.json) as T;
      if (filter(object)) queue.push({ type: event.type, object } as WatchEvent<T>);
    };
    const state = this.state;
    if (options.resourceVersion === undefined || options.resourceVersion === '' || options.resourceVersion === '0') {
      const initial = [...state.objects.entries()].sort(([a], [b]) => compareKeys(a, b));
      for (const [, entry] of initial) deliver({ type: 'ADDED', resourceVersion: 0, json: entry.json });
    } else {
      const from = Number(parseResourceVersion(options.resourceVersion));
      after = from;
      const oldest = state.history[state.historyStart]?.resourceVersion ?? state.resourceVersion + 1;
      // History holds every event from `oldest` on; a start older than that has a gap.
      if (from < state.resourceVersion && oldest > from + 1) {
        queue.fail(new StoreGoneError(options.resourceVersion, String(oldest - 1)));
        return queue;
      }
      for (let i = state.historyStart; i < state.history.length; i++) {
        const event = state.history[i]!;
        if (event.resourceVersion > from) deliver(event);
      }
    }
    state.watchers.add(deliver);
    this.openWatches.add(queue);
    queue.whenClosed(() => {
      state.watchers.delete(deliver);
      this.openWatches.delete(queue);
    });
    return queue;
  }

  async claim(key: string, holder: string): Promise<ClaimResult> {
    this.checkOpen();
    const current = this.state.claims.get(key);
    if (current === undefined) {
      this.state.claims.set(key, holder);
      return { claimed: true, holder };
    }
    return { claimed: current === holder, holder: current };
  }

  async claimAll(claims: ReadonlyArray<readonly [key: string, holder: string]>): Promise<ClaimAllResult> {
    this.checkOpen();
    checkDistinctClaimKeys(claims);
    const held = this.state.claims;
    const holders = claims.map(([key]) => held.get(key));
    for (let i = 0; i < claims.length; i++) {
      if (holders[i] !== undefined && holders[i] !== claims[i]![1]) return { claimed: false, holders };
    }
    for (const [key, holder] of claims) held.set(key, holder);
    return { claimed: true, holders };
  }

  async release(key: string, holder: string): Promise<boolean> {
    this.checkOpen();
    if (this.state.claims.get(key) !== holder) return false;
    this.state.claims.delete(key);
    return true;
  }

  async holderOf(key: string): Promise<string | undefined> {
    this.checkOpen();
    return this.state.claims.get(key);
  }

  async claims(prefix: string): Promise<Map<string, string>> {
    this.checkOpen();
    const result = new Map<string, string>();
    for (const [key, holder] of this.state.claims) if (key.startsWith(prefix)) result.set(key, holder);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const watch of [...this.openWatches]) watch.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError('memory store');
  }

  private keyFor(object: KubernetesObject): string {
    return writeKeyOf(object);
  }

  /** Bumps the resourceVersion, stores (unless deleting), logs and fans the event out. */
  private write<T extends KubernetesObject>(type: WatchEventType, key: string, object: T, keep = true): T {
    const state = this.state;
    const resourceVersion = ++state.resourceVersion;
    object.metadata.resourceVersion = String(resourceVersion);
    const json = JSON.stringify(object);
    if (keep) state.objects.set(key, { kind: object.kind, json });
    const event: LoggedEvent = { type, resourceVersion, json };
    state.history.push(event);
    if (state.history.length - state.historyStart > this.historyLimit) {
      state.historyStart++;
      // Trim the array in batches so pushes stay O(1) amortised.
      if (state.historyStart > 4096 && state.historyStart * 2 > state.history.length) {
        state.history.splice(0, state.historyStart);
        state.historyStart = 0;
      }
    }
    for (const watcher of state.watchers) watcher(event);
    return jsonCopy(object);
  }
}

/** Plain code-point order, so listings are stable across backends. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A memory store for one lab; `createMemoryStore({ backend })` shares memory between clients. */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  return new MemoryStore(options);
}
