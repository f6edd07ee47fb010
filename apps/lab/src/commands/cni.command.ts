import type { Command } from 'commander';
import { commandGroup, filenameOption, outputOption } from '../cli/options.js';

/** `kemu cni routes --node N -f FILES`: the routes, neighbours and FDB entries a node programs. */
export function defineCniCommands(program: Command): void {
  commandGroup(program, 'cni', 'the CNI overlay model: pod addressing and VXLAN routing')
    .command('routes')
    .description('print what flannel VXLAN programs on a node: `ip route`, `ip neigh` and `bridge fdb` lines')
    .requiredOption('--node <name>', 'the node to show')
    .addOption(filenameOption())
    .addOption(outputOption())
    .action(async (options: { node: string; filename: string[]; output: string }) => {
      const { runCniRoutes } = await import('./cni.action.js');
      await runCniRoutes(options);
    });
}
