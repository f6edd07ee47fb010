import type { Command } from 'commander';
import { filenameOption } from '../cli/options.js';
import { addServerOptions, namespaceOption } from '../lab/client/options.js';

/** `kemu delete -f PATH...` or `kemu delete KIND NAME...`: delete objects from a running lab. */
export function defineDeleteCommand(program: Command): void {
  addServerOptions(
    program
      .command('delete')
      .description('delete objects from a running lab, by manifest (-f) or by kind and name (pods shut down gracefully)')
      .argument('[kind]', 'resource kind (pod, svc, deployment, …)')
      .argument('[names...]', 'object names')
      .addOption(filenameOption(false))
      .addOption(namespaceOption()),
  ).action(
    async (
      kind: string | undefined,
      names: string[],
      options: { filename?: string[]; namespace: string; server?: string; token?: string },
    ) => {
      const { runDelete } = await import('./delete.action.js');
      await runDelete(kind, names, options);
    },
  );
}
