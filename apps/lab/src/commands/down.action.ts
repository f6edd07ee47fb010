import { setTimeout as sleep } from 'node:timers/promises';
import { CliExit, exitCodes } from '../cli/exit.js';
import type { DownOptions } from './down.command.js';
import { isRunning, labStateFile, readLabState, removeLabState } from './lab-state.js';

/** Sends SIGTERM to the background lab (pods get their grace period), waits for it to exit, removes the state file. */
export async function runDown(options: DownOptions): Promise<void> {
  const state = readLabState();
  if (!state)
    throw new CliExit(
      exitCodes.userError,
      `error: no lab runs in the background (no ${labStateFile()}); start one with \`kemu up --detach\``,
    );
  if (!isRunning(state.pid)) {
    removeLabState();
    process.stdout.write(`the background lab (pid ${state.pid}) had already stopped; removed ${labStateFile()}\n`);
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + options.timeout;
  while (isRunning(state.pid)) {
    if (Date.now() > deadline) {
      process.kill(state.pid, 'SIGKILL');
      process.stderr.write(`the lab did not stop within ${options.timeout} ms: killed it\n`);
      break;
    }
    await sleep(50);
  }
  removeLabState();
  process.stdout.write(`lab stopped (pid ${state.pid})\n`);
}
