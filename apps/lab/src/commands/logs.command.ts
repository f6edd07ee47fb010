import type { Command } from 'commander';
import { parseGoDuration } from '../cli/duration.js';
import { parseInteger } from '../cli/options.js';
import { addServerOptions, namespaceOption } from '../lab/client/options.js';
import type { LogsOptions } from './logs.action.js';

/**
 * `kemu logs pod/NAME [-c CONTAINER] [-f] [-p] [--since D | --since-time T] [--tail N]
 * [--timestamps] [--limit-bytes N]`: a pod's log from a running lab, with kubectl logs' flags.
 */
export function defineLogsCommand(program: Command): void {
  addServerOptions(
    program
      .command('logs')
      .description("print a pod's log from a running lab (kubectl logs)")
      .argument('<pod>', 'pod/NAME or NAME')
      .option('-c, --container <name>', 'one container (default: kubectl.kubernetes.io/default-container, else the first)')
      .option('-f, --follow', 'stream the log as it is written, until the container ends (Ctrl-C to stop)')
      .option('-p, --previous', 'the log of the previous instance of a container that restarted')
      .option('--since <duration>', 'only lines newer than a relative duration like 5s, 2m or 3h', parseGoDuration)
      .option('--since-time <time>', 'only lines after an RFC 3339 time')
      .option('--tail <lines>', 'only the last lines (-1: all)', parseInteger('--tail'), -1)
      .option('--timestamps', 'prefix each line with its RFC 3339 time')
      .option('--limit-bytes <bytes>', 'stop after this many bytes', parseInteger('--limit-bytes'), 0)
      .addOption(namespaceOption()),
  ).action(async (pod: string, options: LogsOptions) => {
    const { runLogs } = await import('./logs.action.js');
    await runLogs(pod, options);
  });
}
