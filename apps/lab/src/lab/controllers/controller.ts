import type { Store } from '@kemu/core';
import type { InformerFactory } from '../informer.js';
import { WorkQueue } from '../work-queue.js';

/** What every controller gets: the store to write, the shared informers to read, a logger. */
export interface ControllerContext {
  store: Store;
  informers: InformerFactory;
  log(message: string): void;
}

/**
 * A control loop: registers informer handlers that queue keys, and reconciles one key at a time
 * (level-triggered: each reconcile reads the current state and moves it one step toward the spec).
 */
export abstract class Controller {
  protected readonly queue: WorkQueue;

  constructor(
    readonly name: string,
    protected readonly ctx: ControllerContext,
    workers = 4,
  ) {
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      workers,
      onError: (key, error) => ctx.log(`${name}: ${key}: ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  /** Registers informer handlers; call before the informers start. */
  abstract start(): void;

  /** Moves one object toward its spec. */
  protected abstract reconcile(key: string): Promise<void>;

  /** Resolves when no work is queued or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops reconciling. */
  async close(): Promise<void> {
    this.queue.close();
    await this.queue.idle();
  }
}

/** `namespace/name` of a namespaced object. */
export function nsKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? 'default'}/${name}`;
}

/** Splits a `namespace/name` key. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
