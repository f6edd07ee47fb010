import type { Command } from 'commander';
import { parseInteger } from '../cli/options.js';

/** `kemu top`: live traffic per Service and pod, from a running lab's dashboard. */
export function defineTopCommand(program: Command): void {
  program
    .command('top')
    .description('live requests/s, errors/s and bytes/s per Service and pod of a running lab')
    .option('--dashboard <url>', 'the lab dashboard', process.env.KEMU_DASHBOARD ?? 'http://127.0.0.1:7070')
    .option('--interval <ms>', 'refresh interval', parseInteger('--interval', 100, 60_000), 1000)
    .option('--once', 'print one table and exit (for scripts)')
    .action(async (options: { dashboard: string; interval: number; once?: boolean }) => {
      const { runTop } = await import('./top.action.js');
      await runTop(options);
    });
}
