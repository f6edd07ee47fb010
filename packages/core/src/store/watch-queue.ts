import type { KubernetesObject } from '../objects/meta.js';
import type { Watch, WatchEvent } from './types.js';

/**
 * The consumer side of a watch, shared by every backend: events are buffered until read, a
 * failure is thrown from the next read after the events before it, and close() ends a pending read.
 */
export class WatchQueue<T extends KubernetesObject = KubernetesObject> implements Watch<T> {
  private readonly buffer: WatchEvent<T>[] = [];
  private waiting: ((result: IteratorResult<WatchEvent<T>>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private error: unknown;
  private closed = false;
  private readonly onClose: Array<() => void> = [];

  /** Registers cleanup to run once on close (unsubscribe, stop a reader). */
  whenClosed(cleanup: () => void): void {
    if (this.closed) cleanup();
    else this.onClose.push(cleanup);
  }

  /** Whether close() was called or a failure ended the watch. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Delivers one event to the reader. */
  push(event: WatchEvent<T>): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      resolve({ value: event, done: false });
    } else {
      this.buffer.push(event);
    }
  }

  /** Ends the watch with an error, after the events already buffered. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.error = error;
    if (this.failWaiting) {
      const reject = this.failWaiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      reject(error);
    }
    this.shutdown();
  }

  next(): Promise<IteratorResult<WatchEvent<T>>> {
    const event = this.buffer.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.error !== undefined) {
      const error = this.error;
      this.error = undefined;
      return Promise.reject(error);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<WatchEvent<T>>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.closed) return;
    this.buffer.length = 0;
    this.shutdown();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private shutdown(): void {
    this.closed = true;
    for (const cleanup of this.onClose.splice(0)) cleanup();
  }
}
