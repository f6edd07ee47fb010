/** When the process last let timers and I/O run (shared by every queue). */
let lastYield = 0;

/**
 * A keyed work queue as client-go's `workqueue`: a key queued many times is processed once; a key
 * is never processed by two workers at once (a key added while processing is re-run after); failed
 * keys come back with exponential back-off. Every controller of the lab reconciles through one.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly batched = new Set<string>();
  private running = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly reconcile: (key: string) => Promise<void>,
    private readonly options: { workers?: number; onError?: (key: string, error: unknown) => void } = {},
  ) {}

  /** Queues `key` (deduplicated). */
  add(key: string): void {
    if (this.closed) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    this.pending.add(key);
    this.pump();
  }

  /** Queues `key` after `ms` milliseconds (for time-driven checks: heartbeats, back-offs). */
  addAfter(key: string, ms: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.timers.add(timer);
  }

  /**
   * Queues `key` once within `ms` (upstream's endpointUpdatesBatchPeriod): a burst of events for one
   * key costs one reconcile per period instead of one per event.
   */
  addBatched(key: string, ms: number): void {
    if (this.closed || this.pending.has(key) || this.batched.has(key)) return;
    this.batched.add(key);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.batched.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.timers.add(timer);
  }

  /** Resolves when nothing is pending or running (for tests and orderly shutdown). */
  idle(): Promise<void> {
    if (this.pending.size === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work; running reconciles finish. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.batched.clear();
    this.pending.clear();
  }

  private pump(): void {
    const workers = this.options.workers ?? 4;
    while (!this.closed && this.running < workers && this.pending.size > 0) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      this.processing.add(key);
      this.running++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      // Yield to timers and I/O every few milliseconds: with an in-memory store every await
      // resolves at once, and busy controllers would otherwise starve heartbeats and pod sockets.
      if (performance.now() - lastYield > 4) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      await this.reconcile(key);
      this.failures.delete(key);
    } catch (error) {
      const count = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, count);
      if (!this.closed) this.options.onError?.(key, error);
      // client-go's default controller rate limiter: 5 ms doubling, capped (here at 2 s for a lab).
      this.addAfter(key, Math.min(5 * 2 ** count, 2000));
    } finally {
      this.processing.delete(key);
      this.running--;
      if (this.dirtyWhileProcessing.delete(key)) this.add(key);
      this.pump();
      if (this.pending.size === 0 && this.running === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }
}
