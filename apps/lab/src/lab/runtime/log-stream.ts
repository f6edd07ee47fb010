import { Readable } from 'node:stream';
import type { InstanceLog } from './instance-log.js';
import { LogCursor, type LogReadOptions } from './log-cursor.js';

/**
 * One instance's log as a byte stream, what the kubelet's `/containerLogs` writes out. Without
 * `follow` it ends once caught up; with `follow` it waits for new lines until the instance ends
 * (kuberuntime/logs ReadLogs stops following when the container is no longer running), the byte
 * limit is reached, or it is destroyed (the client went away), and then stops listening. Lines are
 * read from the instance only as fast as the consumer takes them, so a slow client holds no more
 * than the stream's high-water mark.
 */
export class ContainerLogStream extends Readable {
  private readonly cursor: LogCursor;
  private wanting = false;
  private unfollow: (() => void) | undefined;

  constructor(
    private readonly instance: InstanceLog,
    options: LogReadOptions & { follow?: boolean },
  ) {
    super();
    this.cursor = new LogCursor(instance, options);
    if (options.follow && !instance.ended) this.unfollow = instance.follow(() => this.wanting && this.pump());
  }

  override _read(): void {
    this.wanting = true;
    this.pump();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stopFollowing();
    callback(error);
  }

  private pump(): void {
    while (this.wanting) {
      const chunk = this.cursor.next();
      if (chunk === undefined) {
        // Caught up: wait for the next line unless nothing more can come.
        if (!this.unfollow || this.instance.ended || this.cursor.exhausted) this.finish();
        return;
      }
      this.wanting = this.push(chunk);
    }
  }

  private finish(): void {
    this.wanting = false;
    this.stopFollowing();
    this.push(null);
  }

  private stopFollowing(): void {
    this.unfollow?.();
    this.unfollow = undefined;
  }
}
