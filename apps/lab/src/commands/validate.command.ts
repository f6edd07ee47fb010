import type { Command } from 'commander';
import { filenameOption, outputOption } from '../cli/options.js';

/** `kemu validate -f PATH...`: load manifests and print every problem. */
export function defineValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('load manifests as kubectl apply -f would and report every error (FILE:LINE:COL: object: field: message)')
    .addOption(filenameOption())
    .addOption(outputOption())
    .action(async (options: { filename: string[]; output: string }) => {
      const { runValidate } = await import('./validate.action.js');
      await runValidate(options);
    });
}
