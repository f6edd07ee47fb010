import type { KubernetesObject, Store, Watch, WatchEventType } from '@kemu/core';

/** Options of a {@link StoreReconciler}. */
export interface StoreReconcilerOptions {
  store: Store;
  /** Whether a change calls for a pass. */
  relevant(type: WatchEventType, object: KubernetesObject): boolean;
  /** One level-triggered pass over the whole store. */
  pass(): Promise<void>;
  /** Quiet time after a change before the pass runs, so a burst of events costs one pass (default 10 ms). */
  debounceMs?: number;
  /** While someone waits on {@link StoreReconciler.nextPass}, run a pass at least this often (default 500 ms). */
  resyncMs?: number;
  /** A failed pass; it is retried after `resyncMs`. */
  onError(error: unknown): void;
}

/**
 * Runs a one-pass sync function the way a controller's work queue does: on every change of the
 * watched kinds (after a short debounce, so bursts coalesce), never two passes at once, again at
 * once when something changed during a pass, and periodically while a caller waits (the
 * controllers' resync, which retries what failed without a new event).
 */
export class StoreReconciler {
  private watch: Watch | undefined;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private requested = false;
  private closed = false;
  private started = 0;
  private readonly waiters: { after: number; resolve: () => void }[] = [];

  constructor(private readonly options: StoreReconcilerOptions) {}

  /** Starts watching; the watch's initial ADDED events trigger the first pass. */
  start(): void {
    const watch = this.options.store.watch({});
    this.watch = watch;
    this.loop = (async () => {
      try {
        for await (const event of watch) if (this.options.relevant(event.type, event.object)) this.kick();
      } catch (error) {
        if (!this.closed) this.options.onError(error);
      }
    })();
  }

  /** Asks for a pass soon. */
  kick(): void {
    if (this.closed) return;
    this.requested = true;
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain();
    }, this.options.debounceMs ?? 10);
  }

  /** Resolves after the next pass that starts from now on has finished (kicks one if none is due). */
  nextPass(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const promise = new Promise<void>((resolve) => this.waiters.push({ after: this.started, resolve }));
    this.resync ??= setTimeout(() => {
      this.resync = undefined;
      this.kick();
    }, this.options.resyncMs ?? 500);
    return promise;
  }

  /** Stops watching and waits for a running pass; pending {@link nextPass} calls resolve. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.resync);
    this.watch?.close();
    await this.loop;
    await this.running;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private async drain(): Promise<void> {
    while (this.requested && !this.closed) {
      this.requested = false;
      const pass = ++this.started;
      try {
        await this.options.pass();
      } catch (error) {
        if (this.closed) break;
        this.options.onError(error);
        // Retried by the resync (and by the next change), not in a tight loop.
        this.resync ??= setTimeout(() => {
          this.resync = undefined;
          this.kick();
        }, this.options.resyncMs ?? 500);
      }
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const waiter = this.waiters[i]!;
        if (waiter.after < pass) {
          this.waiters.splice(i, 1);
          waiter.resolve();
        }
      }
    }
    this.running = undefined;
  }
}
