import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliExit, exitCodes } from '../cli/exit.js';
import { isRunning, kemuHome, type LabState, labStateFile, readLabState } from './lab-state.js';
import { DETACHED_ENV } from './up.action.js';

/** How long `kemu up --detach` waits for the background lab to record its entry points. */
const startTimeoutMs = 60_000;

/**
 * `kemu up --detach`: runs `kemu up` (same arguments, minus --detach) in a background process whose
 * output goes to `$KEMU_HOME/lab.log`, waits until it writes the state file, prints its entry points.
 */
export async function runUpDetached(args: readonly string[]): Promise<void> {
  const running = readLabState();
  if (running && isRunning(running.pid))
    throw new CliExit(
      exitCodes.userError,
      `error: a lab already runs in the background (pid ${running.pid}); stop it with \`kemu down\``,
    );
  fs.rmSync(labStateFile(), { force: true });
  fs.mkdirSync(kemuHome(), { recursive: true });
  const logFile = path.join(kemuHome(), 'lab.log');
  const log = fs.openSync(logFile, 'w');
  const script = process.argv[1];
  if (!script) throw new CliExit(exitCodes.internalError, 'error: cannot tell which script runs kemu');
  // The same node flags (tsx's loader when run from source) and script, so the child is the same kemu.
  const child = spawn(process.execPath, [...process.execArgv, script, ...args.filter((a) => a !== '--detach' && a !== '-d')], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, [DETACHED_ENV]: '1' },
  });
  fs.closeSync(log);
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code ?? 1));
  const deadline = Date.now() + startTimeoutMs;
  let state: LabState | undefined = readLabState();
  while (!state || state.pid !== child.pid) {
    if (exitCode !== undefined) {
      const output = fs.readFileSync(logFile, 'utf8').trim();
      throw new CliExit(
        exitCode || exitCodes.internalError,
        `error: the background lab exited (${exitCode}) before it started:\n${output}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new CliExit(
        exitCodes.internalError,
        `error: the background lab did not start within ${startTimeoutMs / 1000} s; see ${logFile}`,
      );
    }
    await sleep(50);
    state = readLabState();
  }
  child.unref();
  const out = process.stdout;
  out.write(`kemu lab running in the background (pid ${state.pid}, store ${state.store}, lab ${state.lab})\n`);
  for (const point of state.entryPoints) out.write(`${point.name}: ${point.url}\n`);
  out.write(`logs: ${logFile}\nstop it with: kemu down\n`);
}
