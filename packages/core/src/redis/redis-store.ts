import type { Redis } from 'ioredis';
import type { KubernetesObject } from '../objects/meta.js';
import { checkDistinctClaimKeys } from '../store/claim-keys.js';
import { StoreAlreadyExistsError, StoreClosedError, StoreConflictError, StoreNotFoundError } from '../store/errors.js';
import { compileFilter } from '../store/filter.js';
import { keyOf, parseResourceVersion, storeKey, writeKeyOf } from '../store/keys.js';
import { prepareCreate } from '../store/object-writes.js';
import type {
  ClaimAllResult,
  ClaimResult,
  DeleteOptions,
  ListOptions,
  ListResult,
  ObjectKey,
  Store,
  Watch,
  WatchOptions,
} from '../store/types.js';
import { WatchQueue } from '../store/watch-queue.js';
import { ConnectionErrors, openConnection, redactUrl, storeError } from './connection.js';
import { type LabKeys, labKeys } from './keys.js';
import { createRecord, decodeEvent, decodeRecord, updatedObject, updateParts } from './records.js';
import { followStream, type WatchStart } from './redis-watch.js';
import { type StoreScripts, withStoreScripts } from './scripts.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379/0`. Default `redis://127.0.0.1:6379/0`. */
  url?: string;
  /** Lab name: labs sharing one Redis never see each other. Default `default`. */
  lab?: string;
  /** Events kept for watches that start in the past (approximately: Redis trims whole stream nodes). Default 50,000. */
  historyLimit?: number;
  /** How long a call waits for an unreachable Redis before failing with StoreUnavailableError. Default 5 s. */
  unavailableAfterMs?: number;
  /** Use this connection instead of opening one (it is not closed by close()); watches duplicate it. */
  client?: Redis;
}

/**
 * The store on Redis, for labs whose processes or machines share state. Each write is one Lua
 * script (atomic, one round trip); watches read the lab's event stream on their own connection.
 * Passes the same conformance suite as the memory store.
 */
export class RedisStore implements Store {
  readonly description: string;
  private readonly client: Redis & StoreScripts;
  private readonly ownsClient: boolean;
  private readonly keys: LabKeys;
  private readonly maxLen: number;
  private readonly errors = new ConnectionErrors();
  private readonly openWatches = new Set<{ close(): void }>();
  private closed = false;

  constructor(options: RedisStoreOptions = {}) {
    const given = options.client?.options;
    const url = options.url ?? (given ? `redis://${given.host}:${given.port}/${given.db ?? 0}` : 'redis://127.0.0.1:6379/0');
    const lab = options.lab ?? 'default';
    this.keys = labKeys(lab);
    this.maxLen = Math.max(1, options.historyLimit ?? 50_000);
    this.description = redactUrl(url);
    this.ownsClient = options.client === undefined;
    const client = options.client ?? openConnection(url, options.unavailableAfterMs ?? 5000);
    this.errors.watch(client);
    this.client = withStoreScripts(client);
  }

  async create<T extends KubernetesObject>(object: T): Promise<T> {
    const key = this.open(() => writeKeyOf(object));
    const prepared = prepareCreate(object, new Date());
    const { header, json } = createRecord(prepared);
    const { resourceVersion, objects, events, kinds } = this.objectKeys(prepared.kind);
    const [ok, rv] = await this.call(() =>
      this.client.kemuCreate(
        resourceVersion,
        objects,
        events,
        kinds,
        this.maxLen,
        key,
        header,
        json,
        prepared.kind,
        prepared.metadata.uid!,
      ),
    );
    if (ok !== 1) throw new StoreAlreadyExistsError(key);
    prepared.metadata.resourceVersion = String(rv);
    return prepared;
  }

  async get<T extends KubernetesObject>(objectKey: ObjectKey): Promise<T | undefined> {
    const key = this.open(() => storeKey(objectKey));
    const record = await this.call(() => this.client.hget(this.objectKeys(objectKey.kind).objects, key));
    return record === null ? undefined : decodeRecord<T>(record);
  }

  async update<T extends KubernetesObject>(object: T): Promise<T> {
    const key = this.open(() => writeKeyOf(object));
    const expected = object.metadata.resourceVersion ?? '';
    if (expected !== '') parseResourceVersion(expected);
    const parts = updateParts(object);
    const { resourceVersion, objects, events } = this.objectKeys(object.kind);
    const [status, rv, generation, uid, creationTimestamp] = await this.call(() =>
      this.client.kemuUpdate(
        resourceVersion,
        objects,
        events,
        this.maxLen,
        key,
        expected,
        parts.digest,
        parts.metadataTail,
        parts.restTail,
      ),
    );
    if (status === 0) throw new StoreNotFoundError(key);
    if (status === -1) throw new StoreConflictError(key, expected, String(rv));
    return updatedObject<T>(parts, Number(rv), generation!, uid!, creationTimestamp!);
  }

  async delete<T extends KubernetesObject>(objectKey: ObjectKey, options: DeleteOptions = {}): Promise<T> {
    const key = this.open(() => storeKey(objectKey));
    const expected = options.resourceVersion ?? '';
    const { resourceVersion, objects, events } = this.objectKeys(objectKey.kind);
    const [status, rv, json] = await this.call(() =>
      this.client.kemuDelete(resourceVersion, objects, events, this.maxLen, key, expected),
    );
    if (status === 0) throw new StoreNotFoundError(key);
    if (status === -1) throw new StoreConflictError(key, expected, String(rv));
    return decodeEvent<T>(json!, String(rv));
  }

  async list<T extends KubernetesObject>(kind: string, options: ListOptions = {}): Promise<ListResult<T>> {
    const filter = this.open(() => compileFilter({ ...options, kind }));
    const snapshot = await this.snapshot<T>(kind);
    const items = snapshot.initial.filter(filter);
    return { items, resourceVersion: String(snapshot.resourceVersion) };
  }

  watch<T extends KubernetesObject>(options: WatchOptions = {}): Watch<T> {
    this.open(() => undefined);
    const filter = compileFilter(options);
    const from = options.resourceVersion;
    const fromStart = from === undefined || from === '' || from === '0';
    const startAt = fromStart ? 0 : Number(parseResourceVersion(from));
    const queue = new WatchQueue<T>();
    // A blocking XREAD holds its connection, so each watch gets its own.
    const connection = this.client.duplicate({ connectionName: 'kemu-watch' });
    this.errors.watch(connection);
    this.openWatches.add(queue);
    queue.whenClosed(() => {
      this.openWatches.delete(queue);
      connection.disconnect();
    });
    void followStream<T>({
      connection,
      keys: this.keys,
      filter,
      queue,
      start: (): Promise<WatchStart<T>> =>
        fromStart ? this.snapshot<T>(options.kind ?? '') : Promise.resolve({ resourceVersion: startAt, initial: [] }),
      currentResourceVersion: async () => Number((await this.client.get(this.keys.resourceVersion)) ?? 0),
      toStoreError: (error) => storeError(error, this.description, this.errors, this.closed),
    });
    return queue;
  }

  async claim(key: string, holder: string): Promise<ClaimResult> {
    this.open(() => undefined);
    const current = await this.call(() => this.client.kemuClaim(this.keys.claims, key, holder));
    return { claimed: current === holder, holder: current };
  }

  async claimAll(claims: ReadonlyArray<readonly [key: string, holder: string]>): Promise<ClaimAllResult> {
    this.open(() => checkDistinctClaimKeys(claims));
    if (claims.length === 0) return { claimed: true, holders: [] };
    const flat: string[] = [];
    for (const [key, holder] of claims) flat.push(key, holder);
    const [ok, ...holders] = await this.call(() => this.client.kemuClaimAll(this.keys.claims, ...flat));
    return { claimed: ok === 1, holders: holders.map((holder) => holder ?? undefined) };
  }

  async release(key: string, holder: string): Promise<boolean> {
    this.open(() => undefined);
    return (await this.call(() => this.client.kemuRelease(this.keys.claims, key, holder))) === 1;
  }

  async holderOf(key: string): Promise<string | undefined> {
    this.open(() => undefined);
    return (await this.call(() => this.client.hget(this.keys.claims, key))) ?? undefined;
  }

  async claims(prefix: string): Promise<Map<string, string>> {
    this.open(() => undefined);
    const flat = await this.call(() => this.client.kemuClaims(this.keys.claims, prefix));
    const result = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) result.set(flat[i]!, flat[i + 1]!);
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const watch of [...this.openWatches]) watch.close();
    if (!this.ownsClient) return;
    // QUIT lets pending replies arrive; a connection that never came up is just dropped.
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  /** One consistent snapshot of a kind (or every kind) and the resourceVersion it is at. */
  private async snapshot<T extends KubernetesObject>(kind: string): Promise<WatchStart<T>> {
    const [rv, ...records] = await this.call(() =>
      this.client.kemuSnapshot(this.keys.resourceVersion, this.keys.kinds, this.keys.objectsPrefix, kind),
    );
    const initial = records.map((record) => decodeRecord<T>(record));
    // Same order as the memory store: plain code-point order of the store key.
    const keyed = initial.map((object) => [storeKey(keyOf(object)), object] as const);
    keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { resourceVersion: Number(rv), initial: keyed.map(([, object]) => object) };
  }

  private objectKeys(kind: string): { resourceVersion: string; objects: string; events: string; kinds: string } {
    const { resourceVersion, events, kinds, objectsPrefix } = this.keys;
    return { resourceVersion, objects: `${objectsPrefix}${kind}`, events, kinds };
  }

  /** Fails after close(), then runs the synchronous checks (keys, selectors) before any I/O. */
  private open<R>(check: () => R): R {
    if (this.closed) throw new StoreClosedError(`Redis store ${this.description}`);
    return check();
  }

  /** Runs one Redis call, mapping its failures to the store's errors. */
  private async call<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      throw storeError(error, this.description, this.errors, this.closed);
    }
  }
}

/** A Redis-backed store for one lab. */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  return new RedisStore(options);
}
