import { type Command, Option } from 'commander';
import { commandGroup, filenameOption } from '../cli/options.js';

/** `kemu migrate convert`: ingress-nginx Ingresses → Gateway API, with a verdict for every annotation. */
export function defineMigrateConvertCommand(program: Command): void {
  commandGroup(program, 'migrate', 'move from ingress-nginx Ingresses to Gateway API, and prove the routing did not change')
    .command('convert')
    .description('convert Ingresses (+ IngressClasses, Services) into a Gateway and HTTPRoutes; the report goes to stderr')
    .addOption(filenameOption())
    .option('--gateway <name>', 'name of the Gateway to create', 'ingress')
    .option('--gateway-namespace <namespace>', 'one shared Gateway in this namespace (default: one per Ingress namespace)')
    .option('--gateway-class <name>', 'gatewayClassName of the Gateway', 'kemu')
    .addOption(new Option('-o, --output <format>', 'output format of the objects').choices(['yaml', 'json']).default('yaml'))
    .option('--report <file>', 'also write the report to this file (JSON when it ends in .json)')
    .action(
      async (options: {
        filename: string[];
        gateway: string;
        gatewayNamespace?: string;
        gatewayClass: string;
        output: 'yaml' | 'json';
        report?: string;
      }) => {
        const { runMigrateConvert } = await import('./migrate.action.js');
        await runMigrateConvert(options);
      },
    );
}
