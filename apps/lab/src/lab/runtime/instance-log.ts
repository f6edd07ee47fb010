import type fs from 'node:fs';

/** Which output of the container a line came from. */
export type LogStreamName = 'stdout' | 'stderr';

/** One log line as kept in memory. */
export interface LogLine {
  /** When it was written, as the kubelet prints it (RFC 3339, UTC, nine fraction digits). */
  time: string;
  stream: LogStreamName;
  text: string;
}

/** What a line weighs against the cap: its size in the CRI log file (`TIME STREAM F TEXT\n`). */
function criBytes(line: LogLine): number {
  return line.time.length + line.stream.length + Buffer.byteLength(line.text) + 5;
}

/**
 * The log of one instance of a container (one start; the kubelet's `<restartCount>.log`): its lines
 * in memory up to `maxBytes`, oldest dropped first as the kubelet's rotation drops the oldest file,
 * each line numbered (`seq`) so that a reader that fell behind skips what was dropped; and who is
 * following it. Lines written after the instance ended are kept too (a process's last output can
 * arrive after its exit), but followers have been told it ended.
 */
export class InstanceLog {
  /** Whether the container of this instance started (its launch succeeded). */
  started = false;
  /** Whether the container of this instance exited or was stopped. */
  ended = false;
  private lines: LogLine[] = [];
  private head = 0;
  private dropped = 0;
  private bytes = 0;
  private readonly followers = new Set<() => void>();
  /** The CRI file: opened on the first line, `null` once closed. */
  private file: fs.WriteStream | undefined | null;

  constructor(
    readonly restartCount: number,
    private readonly maxBytes: number,
    private readonly openFile?: () => fs.WriteStream | undefined,
  ) {}

  /** Sequence number of the oldest line kept. */
  get first(): number {
    return this.dropped;
  }

  /** Sequence number the next line will get. */
  get next(): number {
    return this.dropped + this.lines.length - this.head;
  }

  /** The line numbered `seq`, if still kept. */
  at(seq: number): LogLine | undefined {
    return seq < this.dropped ? undefined : this.lines[this.head + seq - this.dropped];
  }

  /** How many readers wait for this instance's next line. */
  get followerCount(): number {
    return this.followers.size;
  }

  /** Appends a line (memory and CRI file), drops the oldest beyond the cap, wakes followers. */
  append(line: LogLine): void {
    this.lines.push(line);
    this.bytes += criBytes(line);
    // The newest line is always kept, however long.
    while (this.bytes > this.maxBytes && this.lines.length - this.head > 1) {
      this.bytes -= criBytes(this.lines[this.head]!);
      this.head++;
      this.dropped++;
    }
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
    if (this.file === undefined) this.file = this.openFile?.();
    if (this.file?.writable) this.file.write(`${line.time} ${line.stream} F ${line.text}\n`);
    this.wake();
  }

  /** Marks the instance ended; followers finish once they have read everything. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
  }

  /** Calls `wake` after every new line and at the end; returns what stops it. */
  follow(wake: () => void): () => void {
    this.followers.add(wake);
    return () => this.followers.delete(wake);
  }

  /** Closes the CRI file (the instance is no longer the current or previous one, or the pod stopped). */
  closeFile(): void {
    this.file?.end();
    this.file = null;
  }

  private wake(): void {
    if (this.followers.size === 0) return;
    for (const wake of [...this.followers]) wake();
  }
}
