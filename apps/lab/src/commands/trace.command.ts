import type { Command } from 'commander';
import { filenameOption, outputOption } from '../cli/options.js';

/**
 * `kemu trace --from NS/POD --to NS/POD|IP -f FILES`: the hops a packet takes. Today pod to pod
 * through the CNI model (route, VXLAN, policy); Services and Ingress hops come later.
 */
export function defineTraceCommand(program: Command): void {
  program
    .command('trace')
    .description('show the hops from a pod to a pod or address: routes, VXLAN encapsulation, policy verdicts')
    .addOption(filenameOption())
    .requiredOption('--from <pod>', 'source pod: NAMESPACE/POD')
    .requiredOption('--to <dest>', 'destination: NAMESPACE/POD or an IP address')
    .option('--port <port>', 'PORT or PORT/PROTOCOL', '80/TCP')
    .addOption(outputOption('json'))
    .action(async (options: { filename: string[]; from: string; to: string; port: string; output: string }) => {
      const { runTrace } = await import('./trace.action.js');
      await runTrace(options);
    });
}
