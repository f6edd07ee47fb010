import { type Command, Option } from 'commander';
import { addServerOptions, namespaceOption } from '../lab/client/options.js';

/** `kemu get KIND [NAME] [-n NS] [-o json|yaml|wide|name]`: read objects of a running lab. */
export function defineGetCommand(program: Command): void {
  addServerOptions(
    program
      .command('get')
      .description('list or read objects of a running lab (kubectl get)')
      .argument('<kind>', 'resource kind: pods, svc, deploy, rs, sts, endpointslices, nodes, …')
      .argument('[name]', 'one object')
      .addOption(namespaceOption())
      .option('-A, --all-namespaces', 'every namespace')
      .option('-l, --selector <selector>', 'label selector')
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(['text', 'wide', 'json', 'yaml', 'name']).default('text'),
      ),
  ).action(async (kind: string, name: string | undefined, options: GetOptions) => {
    const { runGet } = await import('./get.action.js');
    await runGet(kind, name, options);
  });
}

/** Options of `kemu get`. */
export interface GetOptions {
  namespace: string;
  allNamespaces?: boolean;
  selector?: string;
  output: string;
  server?: string;
  token?: string;
}
