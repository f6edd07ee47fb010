import { type KubernetesObject, keyOf, type ListOptions, type Store, StoreGoneError, storeKey } from '@kemu/core';

/** What changed in an informer's cache. */
export type InformerHandler<T extends KubernetesObject> = (
  type: 'ADDED' | 'MODIFIED' | 'DELETED',
  object: T,
  previous: T | undefined,
) => void;

/**
 * An informer as client-go's: lists one kind, then watches from the list's resourceVersion and
 * keeps a local cache; on "410 Gone" it lists again and replays the difference. Controllers read
 * the cache and write through the store with compare-and-swap, so they work the same on every
 * backend.
 */
export class Informer<T extends KubernetesObject = KubernetesObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private watch: { close(): void } | undefined;
  private closed = false;
  private listedAt = '0';
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    readonly kind: string,
    private readonly options: ListOptions = {},
  ) {}

  /** Adds a handler; it also gets an ADDED for every object already cached. */
  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
    for (const object of this.cache.values()) handler('ADDED', object, undefined);
  }

  /** Lists, fills the cache and starts watching; resolves once the cache is synced. */
  async start(): Promise<void> {
    if (this.loop) return;
    const resourceVersion = await this.relist();
    this.loop = this.follow(resourceVersion);
  }

  /** @internal Lists and fills the cache without watching (the factory's shared watch feeds it). */
  async prime(): Promise<string> {
    this.listedAt = await this.relist();
    return this.listedAt;
  }

  /** @internal One event of the factory's shared watch; events the list already covered are skipped. */
  deliver(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void {
    if (Number(object.metadata.resourceVersion ?? 0) <= Number(this.listedAt)) return;
    this.apply(type, object);
  }

  /** The cached object with this key (`Kind/ns/name` via {@link storeKey}), if any. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(storeKey(namespace ? { kind: this.kind, namespace, name } : { kind: this.kind, name }));
  }

  /** Every cached object, optionally filtered. */
  list(filter?: (object: T) => boolean): T[] {
    const all = [...this.cache.values()];
    return filter ? all.filter(filter) : all;
  }

  /** Stops watching. */
  async close(): Promise<void> {
    this.closed = true;
    this.watch?.close();
    await this.loop;
  }

  private async follow(from: string): Promise<void> {
    let resourceVersion = from;
    while (!this.closed) {
      const watch = this.store.watch<T>({ ...this.options, kind: this.kind, resourceVersion });
      this.watch = watch;
      if (this.closed) watch.close();
      try {
        for await (const event of watch) {
          resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
          this.apply(event.type, event.object);
        }
        return; // closed
      } catch (error) {
        if (this.closed) return;
        if (!(error instanceof StoreGoneError)) {
          // A broken connection (Redis restart): wait a little and resume where we were.
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        resourceVersion = await this.relist();
      }
    }
  }

  /** Lists and reconciles the cache with the list, emitting the differences. */
  private async relist(): Promise<string> {
    const result = await this.store.list<T>(this.kind, this.options);
    const seen = new Set<string>();
    for (const object of result.items) {
      const key = storeKey(keyOf(object));
      seen.add(key);
      const previous = this.cache.get(key);
      if (previous?.metadata.resourceVersion === object.metadata.resourceVersion) continue;
      this.apply(previous ? 'MODIFIED' : 'ADDED', object);
    }
    for (const [key, object] of [...this.cache]) if (!seen.has(key)) this.apply('DELETED', object);
    return result.resourceVersion;
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void {
    const key = storeKey(keyOf(object));
    const previous = this.cache.get(key);
    if (type === 'DELETED') this.cache.delete(key);
    else this.cache.set(key, object);
    const effective = type === 'ADDED' && previous ? 'MODIFIED' : type;
    for (const handler of this.handlers) handler(effective, object, previous);
  }
}

/**
 * One informer per kind, shared by every controller of a lab (client-go's SharedInformerFactory).
 * All informers started together are fed by ONE store watch, so each change is decoded once
 * however many kinds are watched.
 */
export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private shared: { close(): void } | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly store: Store) {}

  /** The shared informer of `kind` (started on its own watch when the factory already runs). */
  for<T extends KubernetesObject>(kind: string): Informer<T> {
    let informer = this.informers.get(kind);
    if (!informer) {
      informer = new Informer(this.store, kind);
      this.informers.set(kind, informer);
      if (this.loop && !this.closed) void informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Lists every informer created so far, then follows one shared watch; resolves when caches are synced. */
  async start(): Promise<void> {
    if (this.loop) return;
    const from = await this.primeAll();
    this.loop = this.follow(from);
  }

  /** Stops every informer. */
  async close(): Promise<void> {
    this.closed = true;
    this.shared?.close();
    await this.loop;
    await Promise.all([...this.informers.values()].map((i) => i.close()));
  }

  private async primeAll(): Promise<string> {
    const versions = await Promise.all([...this.informers.values()].map((i) => i.prime()));
    return String(Math.min(...versions.map(Number)));
  }

  private async follow(from: string): Promise<void> {
    let resourceVersion = from;
    const kinds = new Map(this.informers);
    while (!this.closed) {
      const watch = this.store.watch({ resourceVersion });
      this.shared = watch;
      if (this.closed) watch.close();
      try {
        for await (const event of watch) {
          resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
          kinds.get(event.object.kind)?.deliver(event.type, event.object);
        }
        return;
      } catch (error) {
        if (this.closed) return;
        if (!(error instanceof StoreGoneError)) await new Promise((resolve) => setTimeout(resolve, 200));
        else resourceVersion = await this.primeAll();
      }
    }
  }
}
