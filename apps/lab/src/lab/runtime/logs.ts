import fs from 'node:fs';
import path from 'node:path';

/** One log line as kept in memory. */
export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * One container's log: the last `capacity` lines in memory (what `kemu logs` prints) and, when a
 * directory is given, every line appended to `<dir>/<container>/<restartCount>.log` in the CRI
 * format the kubelet writes under /var/log/pods (`TIME STREAM F TEXT`).
 */
export class ContainerLog {
  private readonly lines: LogLine[] = [];
  private start = 0;
  private file: fs.WriteStream | undefined;
  private partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  constructor(
    readonly container: string,
    private readonly capacity = 1000,
    private readonly directory?: string,
  ) {}

  /** Starts a new file for a (re)started container. */
  rotate(restartCount: number): void {
    this.file?.end();
    this.file = undefined;
    if (!this.directory) return;
    const dir = path.join(this.directory, this.container);
    fs.mkdirSync(dir, { recursive: true });
    this.file = fs.createWriteStream(path.join(dir, `${restartCount}.log`), { flags: 'a' });
    this.file.on('error', () => {
      this.file = undefined;
    });
  }

  /** Appends one complete line. */
  write(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const line: LogLine = { time: new Date().toISOString(), stream, text };
    if (this.lines.length - this.start >= this.capacity) this.start++;
    this.lines.push(line);
    if (this.start > this.capacity) {
      this.lines.splice(0, this.start);
      this.start = 0;
    }
    this.file?.write(`${line.time} ${stream} F ${text}\n`);
  }

  /** Appends raw output of a process, splitting it into lines. */
  writeChunk(chunk: Buffer | string, stream: 'stdout' | 'stderr'): void {
    const text = this.partial[stream] + chunk.toString();
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const part of parts) this.write(part, stream);
  }

  /** The kept lines, the last `tail` of them when given. */
  read(tail?: number): LogLine[] {
    const kept = this.lines.slice(this.start);
    return tail === undefined ? kept : kept.slice(Math.max(0, kept.length - tail));
  }

  /** Flushes and closes the file. */
  close(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.write(this.partial[stream], stream);
      this.partial[stream] = '';
    }
    this.file?.end();
    this.file = undefined;
  }
}
