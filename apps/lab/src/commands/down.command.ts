import type { Command } from 'commander';
import { parseInteger } from '../cli/options.js';

/** Options of `kemu down`. */
export interface DownOptions {
  timeout: number;
}

/** `kemu down`: stops the lab `kemu up --detach` started. */
export function defineDownCommand(program: Command): void {
  program
    .command('down')
    .description('stop the lab started with `kemu up --detach` (SIGTERM, then wait for it to exit)')
    .option('--timeout <ms>', 'how long to wait for the lab to exit before SIGKILL', parseInteger('--timeout', 100), 60_000)
    .action(async (options: DownOptions) => {
      const { runDown } = await import('./down.action.js');
      await runDown(options);
    });
}
