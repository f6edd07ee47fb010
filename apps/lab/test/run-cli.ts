import { vi } from 'vitest';
import { main } from '../src/cli.js';

/** What one in-process run of the CLI printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A run of the CLI in progress: what it has printed so far, and its end. */
export interface CliRunning {
  output(): string;
  done: Promise<CliRun>;
}

/** Starts `kemu …args` in-process, capturing stdout and stderr until it returns (for commands that stream, as `logs -f`). */
export function startCli(...args: string[]): CliRunning {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const done = main(['node', 'kemu', ...args])
    .then((code) => ({ code, stdout, stderr }))
    .finally(() => {
      out.mockRestore();
      err.mockRestore();
    });
  return { output: () => stdout, done };
}

/** Runs `kemu …args` in-process, capturing stdout and stderr (the CLI tests' shared harness). */
export function runCli(...args: string[]): Promise<CliRun> {
  return startCli(...args).done;
}
