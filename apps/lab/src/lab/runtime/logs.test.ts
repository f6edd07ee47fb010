import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KubeletLogsError } from '../errors.js';
import { LogCursor } from './log-cursor.js';
import { ContainerLog } from './logs.js';
import { type ContainerLogRequest, readContainerLog } from './open-container-log.js';

// A container's log as the kubelet keeps and reads it: per-line CRI timestamps, tail, since,
// limitBytes (kuberuntime/logs ReadLogs + logWriter), one file per container instance and the
// previous instance for --previous (kubelet_pods.go validateContainerLogStatus), bounded like rotation.

const second = 1_000_000_000n;
let now = 1_700_000_000n * second; // 2023-11-14T22:13:20Z

function containerLog(options: { maxBytes?: number; directory?: string } = {}): ContainerLog {
  now = 1_700_000_000n * second;
  const log = new ContainerLog('main', { ...options, clock: () => now });
  log.started();
  return log;
}

/** Writes lines one second apart. */
function writeLines(log: ContainerLog, ...texts: string[]): void {
  for (const text of texts) {
    log.write(text);
    now += second;
  }
}

function read(log: ContainerLog, request: ContainerLogRequest = {}): string {
  return readContainerLog({ logs: () => new Map([['main', log]]) }, 'default', 'web', 'main', request);
}

describe('container log lines', () => {
  it('stamps each line with an RFC 3339 UTC time with nine fraction digits', () => {
    // kuberuntime/logs timeFormatOut = types.RFC3339NanoFixed ("2006-01-02T15:04:05.000000000Z07:00").
    const log = containerLog();
    now += 123_456_789n;
    log.write('hello');
    expect(log.read()).toEqual([{ time: '2023-11-14T22:13:20.123456789Z', stream: 'stdout', text: 'hello' }]);
    expect(read(log, { timestamps: true })).toBe('2023-11-14T22:13:20.123456789Z hello\n');
  });

  it('reads the last tailLines lines', () => {
    // kubectl logs --tail: "Lines of recent log file to display".
    const log = containerLog();
    writeLines(log, 'one', 'two', 'three');
    expect(read(log, { tailLines: 2 })).toBe('two\nthree\n');
    expect(read(log, { tailLines: 0 })).toBe('');
    expect(read(log, { tailLines: 10 })).toBe('one\ntwo\nthree\n');
  });

  it('skips lines older than sinceSeconds before now', () => {
    // NewLogOptions: since = now - sinceSeconds; logWriter.write skips lines Before(since).
    const log = containerLog();
    writeLines(log, 'old', 'older-than-2s', 'recent', 'newest');
    // now is 4 s after the first line: lines at +2 s and +3 s are within the last 2 seconds.
    expect(read(log, { sinceSeconds: 2 })).toBe('recent\nnewest\n');
  });

  it('skips lines older than sinceTime', () => {
    const log = containerLog();
    writeLines(log, 'a', 'b', 'c');
    expect(read(log, { sinceTime: '2023-11-14T22:13:21Z' })).toBe('b\nc\n');
    expect(read(log, { sinceTime: '2023-11-14T23:13:21+01:00' })).toBe('b\nc\n');
  });

  it('counts tailLines back from the end before filtering by since', () => {
    // ReadLogs seeks to the tail start first; the writer then drops lines older than since.
    const log = containerLog();
    writeLines(log, 'one', 'two', 'three', 'four');
    expect(read(log, { tailLines: 3, sinceTime: '2023-11-14T22:13:22Z' })).toBe('three\nfour\n');
  });

  it('cuts the output at limitBytes, inside a line, timestamps included', () => {
    // logWriter.write: "If the line is longer than the remaining bytes, cut it."
    const log = containerLog();
    writeLines(log, 'hello', 'world');
    expect(read(log, { limitBytes: 8 })).toBe('hello\nwo');
    expect(read(log, { limitBytes: 35, timestamps: true })).toBe('2023-11-14T22:13:20.000000000Z hell');
  });

  it('keeps an unterminated last line of a process until its stream ends', () => {
    const log = containerLog();
    const output = log.output();
    output.chunk('first\nsec', 'stdout');
    expect(read(log)).toBe('first\n');
    output.chunk('ond\nthird', 'stdout');
    expect(read(log)).toBe('first\nsecond\n');
    output.flush('stdout');
    expect(read(log)).toBe('first\nsecond\nthird\n');
  });
});

describe('container instances', () => {
  const previous = (log: ContainerLog) => read(log, { previous: true });

  it('has no previous instance before the container restarted', () => {
    // validateContainerLogStatus: `previous terminated container %q in pod %q not found`, a 400.
    const log = containerLog();
    writeLines(log, 'first run');
    expect(() => previous(log)).toThrow(
      new KubeletLogsError(400, 'BadRequest', 'previous terminated container "main" in pod "web" not found'),
    );
  });

  it('reads the previous instance after a restart, and the new one as current', () => {
    const log = containerLog();
    writeLines(log, 'first run');
    log.exited(true);
    log.started();
    writeLines(log, 'second run');
    expect(previous(log)).toBe('first run\n');
    expect(read(log)).toBe('second run\n');
  });

  it('shows the instance that ended while the container waits to restart, as current and previous', () => {
    // validateContainerLogStatus: a waiting container with lastState.terminated reads that container.
    const log = containerLog();
    writeLines(log, 'crashed');
    log.exited(true);
    expect(read(log)).toBe('crashed\n');
    expect(previous(log)).toBe('crashed\n');
  });

  it('keeps one previous instance: the last that ended', () => {
    // The kubelet keeps one dead container per container (--maximum-dead-containers-per-container=1).
    const log = containerLog();
    for (const run of ['run 0', 'run 1', 'run 2']) {
      log.started();
      writeLines(log, run);
      log.exited(true);
    }
    log.started();
    expect(previous(log)).toBe('run 2\n');
  });

  it('keeps the last instance current when the container ends for good', () => {
    // restartPolicy Never: state.terminated reads that container; lastState is still empty.
    const log = containerLog();
    writeLines(log, 'done');
    log.exited(false);
    expect(read(log)).toBe('done\n');
    expect(() => previous(log)).toThrow(/previous terminated container "main" in pod "web" not found/);
  });

  it('says why a container that never started has no log', () => {
    // validateContainerLogStatus: `container %q in pod %q is waiting to start: %v` with the waiting reason.
    const log = new ContainerLog('main');
    expect(() => read(log)).toThrow('container "main" in pod "web" is waiting to start: ContainerCreating');
    log.waiting('CreateContainerConfigError');
    expect(() => read(log)).toThrow('container "main" in pod "web" is waiting to start: CreateContainerConfigError');
  });
});

describe('container log cap', () => {
  // Each line weighs its CRI file bytes: 30 (time) + 6 (stdout) + text + 5 (three spaces, F, newline).
  const lineBytes = 30 + 6 + 'line-0'.length + 5;

  it('drops the oldest lines beyond maxBytes', () => {
    // The kubelet rotates at containerLogMaxSize and drops the oldest file beyond containerLogMaxFiles.
    const log = containerLog({ maxBytes: 3 * lineBytes });
    writeLines(log, 'line-0', 'line-1', 'line-2', 'line-3', 'line-4');
    expect(read(log)).toBe('line-2\nline-3\nline-4\n');
  });

  it('keeps the newest line even when it alone is over the cap', () => {
    const log = containerLog({ maxBytes: 10 });
    writeLines(log, 'line-0', 'a line longer than the whole cap');
    expect(read(log)).toBe('a line longer than the whole cap\n');
  });

  it('bounds the previous instance as the current one', () => {
    const log = containerLog({ maxBytes: 2 * lineBytes });
    writeLines(log, 'line-0', 'line-1', 'line-2');
    log.exited(true);
    expect(read(log, { previous: true })).toBe('line-1\nline-2\n');
  });

  it('moves a reader that fell behind to the oldest line kept', () => {
    // As a reader of a rotated-away file, it loses what was dropped and goes on.
    const log = containerLog({ maxBytes: 2 * lineBytes });
    writeLines(log, 'line-0');
    const instance = log.instanceFor(false);
    if ('error' in instance) throw new Error(instance.error);
    const cursor = new LogCursor(instance, {});
    writeLines(log, 'line-1', 'line-2', 'line-3');
    expect(cursor.drain()).toBe('line-2\nline-3\n');
  });
});

describe('container log files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes each instance to <container>/<restartCount>.log in the CRI format', async () => {
    // CRI log format (kuberuntime/logs parseCRILog): `TIME STREAM TAG TEXT`.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-logs-'));
    const log = containerLog({ directory: dir });
    writeLines(log, 'first');
    log.exited(true);
    log.started();
    log.write('oops', 'stderr');
    log.close();
    const file = (name: string) => fs.readFileSync(path.join(dir!, 'main', name), 'utf8');
    await vi.waitFor(() => {
      expect(file('0.log')).toBe('2023-11-14T22:13:20.000000000Z stdout F first\n');
      expect(file('1.log')).toBe('2023-11-14T22:13:21.000000000Z stderr F oops\n');
    });
  });
});
