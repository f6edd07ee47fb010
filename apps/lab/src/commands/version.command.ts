import type { Command } from 'commander';

/** `kemu version`: the CLI version and the Kubernetes / CSI / CNI versions kemu follows. */
export function defineVersionCommand(program: Command): void {
  program
    .command('version')
    .description('print the kemu version and the upstream versions it emulates')
    .option('-o, --output <format>', 'output format: json, yaml or text', 'text')
    .action(async (options: { output: string }) => {
      const { runVersion } = await import('./version.action.js');
      await runVersion(options);
    });
}
