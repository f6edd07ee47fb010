import fs from 'node:fs';
import path from 'node:path';
import { InstanceLog, type LogLine, type LogStreamName } from './instance-log.js';
import { type LogClock, rfc3339NanoFixed, wallClock } from './log-clock.js';

export type { LogLine, LogStreamName } from './instance-log.js';

/**
 * What each container instance keeps in memory by default: 256 KiB of CRI log lines. The kubelet
 * rotates a container's file at containerLogMaxSize (10 Mi) and keeps containerLogMaxFiles (5);
 * a lab runs many pods in one process, so kemu keeps less in memory (the files under the data
 * directory have everything).
 */
export const defaultContainerLogMaxBytes = 256 * 1024;

/** Options of a {@link ContainerLog}. */
export interface ContainerLogOptions {
  /** Bytes kept in memory per instance (current and previous), oldest lines dropped first; default {@link defaultContainerLogMaxBytes}. */
  maxBytes?: number;
  /** Where each instance's CRI file goes (`<directory>/<container>/<restartCount>.log`); memory only when unset. */
  directory?: string;
  /** When lines are written; default the wall clock, in nanoseconds. */
  clock?: LogClock;
}

/** Where one container instance's output goes: whole lines, or a process's raw output split into lines. */
export interface ContainerOutput {
  /** Appends one complete line. */
  line(text: string, stream?: LogStreamName): void;
  /** Appends raw output, keeping an unterminated last line until more comes. */
  chunk(data: Buffer | string, stream: LogStreamName): void;
  /** Ends a stream: an unterminated last line is kept as a line. */
  flush(stream: LogStreamName): void;
}

/**
 * One container's log: the current instance and the previous one (a container that restarted),
 * as the kubelet keeps the last dead container of each (`--maximum-dead-containers-per-container`
 * 1) for `kubectl logs --previous`. The container's slot drives it: {@link started} when a launch
 * succeeds, {@link exited} when the container ends, {@link waiting} when it cannot start.
 */
export class ContainerLog {
  /** The instance that runs, or will run next. */
  private current: InstanceLog;
  /** The last instance that ended before `current` (the container's lastState.terminated). */
  private last: InstanceLog | undefined;
  private waitingReason = 'ContainerCreating';
  private readonly maxBytes: number;
  private readonly clock: LogClock;

  constructor(
    readonly container: string,
    private readonly options: ContainerLogOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? defaultContainerLogMaxBytes;
    this.clock = options.clock ?? wallClock;
    this.current = this.instance(0);
  }

  /** The current time on this log's clock, in nanoseconds. */
  now(): bigint {
    return this.clock();
  }

  /** Appends one complete line to the current instance. */
  write(text: string, stream: LogStreamName = 'stdout'): void {
    this.current.append(this.line(text, stream));
  }

  /** Where the instance current now writes, even after it ended (a process's last output comes after its exit). */
  output(): ContainerOutput {
    const instance = this.current;
    const partial: Record<LogStreamName, string> = { stdout: '', stderr: '' };
    const line = (text: string, stream: LogStreamName = 'stdout') => instance.append(this.line(text, stream));
    return {
      line,
      chunk(data, stream) {
        const parts = (partial[stream] + data.toString()).split('\n');
        partial[stream] = parts.pop() ?? '';
        for (const part of parts) line(part, stream);
      },
      flush(stream) {
        if (partial[stream]) line(partial[stream], stream);
        partial[stream] = '';
      },
    };
  }

  /** The container of the current instance runs. */
  started(): void {
    this.current.started = true;
    this.waitingReason = 'ContainerCreating';
  }

  /** The container could not start (CreateContainerError, CreateContainerConfigError…). */
  waiting(reason: string): void {
    this.waitingReason = reason;
  }

  /** The current instance's container ended; when it will restart, it becomes the previous instance. */
  exited(restarting: boolean): void {
    this.current.end();
    if (!restarting || !this.current.started) return;
    this.last?.closeFile();
    this.last = this.current;
    this.current = this.instance(this.current.restartCount + 1);
  }

  /**
   * The instance `kubectl logs` reads, or why there is none, as the kubelet decides from the
   * container status (kubelet_pods.go validateContainerLogStatus): `previous` reads the last
   * terminated instance; otherwise the current one once it started, else the last terminated one.
   */
  instanceFor(previous: boolean): InstanceLog | { error: 'no-previous' } | { error: 'waiting'; reason: string } {
    if (previous) return this.last ?? { error: 'no-previous' };
    if (this.current.started) return this.current;
    return this.last ?? { error: 'waiting', reason: this.waitingReason };
  }

  /** The lines `kubectl logs` shows now (the last `tail` of them when given); none while waiting to start. */
  read(tail?: number): LogLine[] {
    const instance = this.instanceFor(false);
    if ('error' in instance) return [];
    const lines: LogLine[] = [];
    const from = tail === undefined ? instance.first : Math.max(instance.first, instance.next - tail);
    for (let seq = from; seq < instance.next; seq++) lines.push(instance.at(seq)!);
    return lines;
  }

  /** How many readers follow this container's log (each stops when its reader goes away). */
  get followerCount(): number {
    return this.current.followerCount + (this.last?.followerCount ?? 0);
  }

  /** Ends the current instance and closes the files (the pod stopped). */
  close(): void {
    this.current.end();
    this.current.closeFile();
    this.last?.closeFile();
  }

  private line(text: string, stream: LogStreamName): LogLine {
    return { time: rfc3339NanoFixed(this.clock()), stream, text };
  }

  private instance(restartCount: number): InstanceLog {
    const { directory } = this.options;
    const open = directory
      ? () => {
          // A log directory that cannot be written leaves the log in memory only.
          try {
            const dir = path.join(directory, this.container);
            fs.mkdirSync(dir, { recursive: true });
            const file = fs.createWriteStream(path.join(dir, `${restartCount}.log`), { flags: 'a' });
            file.on('error', () => file.destroy());
            return file;
          } catch {
            return undefined;
          }
        }
      : undefined;
    return new InstanceLog(restartCount, this.maxBytes, open);
  }
}
