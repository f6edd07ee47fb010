import type { Command } from 'commander';
import { filenameOption } from '../cli/options.js';
import { addServerOptions } from '../lab/client/options.js';

/** `kemu apply -f PATH...`: create or update objects in a running lab. */
export function defineApplyCommand(program: Command): void {
  addServerOptions(
    program
      .command('apply')
      .description('create or update the objects of manifests in a running lab (as kubectl apply -f)')
      .addOption(filenameOption()),
  ).action(async (options: { filename: string[]; server?: string; token?: string }) => {
    const { runApply } = await import('./apply.action.js');
    await runApply(options);
  });
}
