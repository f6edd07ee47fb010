import type { Command } from 'commander';
import { commandGroup, filenameOption, outputOption } from '../cli/options.js';

/** `kemu policy check -f FILES --from NS/POD|IP --to NS/POD|IP --port 80/TCP`: exit 0 allowed, 3 denied. */
export function definePolicyCommands(program: Command): void {
  commandGroup(program, 'policy', 'NetworkPolicy: judge traffic against manifests')
    .command('check')
    .description('judge one connection start with the NetworkPolicies of the manifests (exit 0 allowed, 3 denied)')
    .addOption(filenameOption())
    .requiredOption('--from <pod>', 'source: NAMESPACE/POD or an IP address')
    .requiredOption('--to <pod>', 'destination: NAMESPACE/POD or an IP address')
    .option('--port <port>', 'PORT or PORT/PROTOCOL', '80/TCP')
    .addOption(outputOption('json'))
    .action(async (options: { filename: string[]; from: string; to: string; port: string; output: string }) => {
      const { runPolicyCheck } = await import('./policy.action.js');
      await runPolicyCheck(options);
    });
}
