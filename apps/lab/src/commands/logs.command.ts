import type { Command } from 'commander';
import { parseInteger } from '../cli/options.js';
import { addServerOptions, namespaceOption } from '../lab/client/options.js';

/** `kemu logs pod/NAME [-c CONTAINER] [--tail N]`: a pod's log from a running lab. */
export function defineLogsCommand(program: Command): void {
  addServerOptions(
    program
      .command('logs')
      .description("print a pod's log from a running lab (kubectl logs)")
      .argument('<pod>', 'pod/NAME or NAME')
      .option('-c, --container <name>', 'one container')
      .option('--tail <lines>', 'only the last lines', parseInteger('--tail', 0))
      .addOption(namespaceOption()),
  ).action(
    async (pod: string, options: { container?: string; tail?: number; namespace: string; server?: string; token?: string }) => {
      const { runLogs } = await import('./logs.action.js');
      await runLogs(pod, options);
    },
  );
}
