import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What a detached `kemu up` records for `kemu down`. */
export interface LabState {
  pid: number;
  startedAt: string;
  store: string;
  lab: string;
  entryPoints: { name: string; url: string }[];
}

/** kemu's home folder: `$KEMU_HOME`, else `~/.kemu`. */
export function kemuHome(): string {
  return process.env.KEMU_HOME || path.join(os.homedir(), '.kemu');
}

/** The state file of the background lab. */
export function labStateFile(): string {
  return path.join(kemuHome(), 'lab.json');
}

/** Reads the state file, or undefined when no background lab is recorded. */
export function readLabState(): LabState | undefined {
  try {
    return JSON.parse(fs.readFileSync(labStateFile(), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/** Writes the state file atomically (rename), so a reader never sees half of it. */
export function writeLabState(state: LabState): void {
  fs.mkdirSync(kemuHome(), { recursive: true });
  const temporary = `${labStateFile()}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(temporary, labStateFile());
}

/** Removes the state file if it still names `pid` (or any pid when omitted). */
export function removeLabState(pid?: number): void {
  const state = readLabState();
  if (state && pid !== undefined && state.pid !== pid) return;
  fs.rmSync(labStateFile(), { force: true });
}

/** True while a process with this pid exists (signal 0 only checks). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
