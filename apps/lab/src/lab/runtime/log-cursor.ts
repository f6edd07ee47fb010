import type { InstanceLog } from './instance-log.js';

/** How one instance's log is read: the kubelet's log options (kuberuntime/logs NewLogOptions), `since` resolved. */
export interface LogReadOptions {
  /** Start this many lines before the end (all lines when unset). */
  tailLines?: number;
  /** Skip lines written before this time (a {@link LogLine} time: RFC 3339, nine fraction digits). */
  since?: string;
  /** Prefix each line with its time and a space. */
  timestamps?: boolean;
  /** Stop after this many bytes, cutting the last line. */
  limitBytes?: number;
}

/**
 * A reader's position in one instance's log, giving the lines as the kubelet writes them out
 * (kuberuntime/logs ReadLogs and logWriter.write): from the tail start, skipping lines older than
 * `since`, with the timestamp prefix, and cut at `limitBytes`. A reader that fell behind the cap
 * resumes at the oldest line kept, as one reading a rotated-away file would.
 */
export class LogCursor {
  private seq: number;
  private remaining: number;

  constructor(
    private readonly instance: InstanceLog,
    private readonly options: LogReadOptions,
  ) {
    const { first, next } = instance;
    this.seq = options.tailLines === undefined ? first : Math.max(first, next - options.tailLines);
    this.remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Whether `limitBytes` have been read (nothing more will come). */
  get exhausted(): boolean {
    return this.remaining <= 0;
  }

  /** The next piece of output, or undefined when caught up with the instance (or exhausted). */
  next(): string | Buffer | undefined {
    const { since, timestamps } = this.options;
    while (!this.exhausted && this.seq < this.instance.next) {
      this.seq = Math.max(this.seq, this.instance.first);
      const line = this.instance.at(this.seq++)!;
      if (since !== undefined && line.time < since) continue;
      const text = timestamps ? `${line.time} ${line.text}\n` : `${line.text}\n`;
      if (this.remaining === Number.POSITIVE_INFINITY) return text;
      const bytes = Buffer.from(text);
      const written = bytes.length > this.remaining ? bytes.subarray(0, this.remaining) : bytes;
      this.remaining -= written.length;
      return written;
    }
    return undefined;
  }

  /** Everything available now, as text (a read that does not follow). */
  drain(): string {
    const parts: (string | Buffer)[] = [];
    for (let part = this.next(); part !== undefined; part = this.next()) parts.push(part);
    return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString();
  }
}
