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

/** `kemu migrate check`: both routers on one request corpus; exit 4 when any request routes differently. */
export function defineMigrateCheckCommand(program: Command): void {
  commandGroup(program, 'migrate', 'move from ingress-nginx Ingresses to Gateway API, and prove the routing did not change')
    .command('check')
    .description(
      'compare the ingress-nginx routing of --from with the Gateway API routing of --to on a generated corpus (+ --requests)',
    )
    .requiredOption('--from <path...>', 'the ingress-nginx manifests (Ingresses, IngressClasses, Services)')
    .requiredOption('--to <path...>', 'the Gateway API manifests (Gateways, HTTPRoutes, ReferenceGrants)')
    .option('--requests <file>', 'your own requests: one per line, "METHOD host /path [header=value…]", or access-log lines')
    .addOption(new Option('-o, --output <format>', 'text, json or junit').choices(['text', 'json', 'junit']).default('text'))
    .action(async (options: { from: string[]; to: string[]; requests?: string; output: 'text' | 'json' | 'junit' }) => {
      const { runMigrateCheck } = await import('./migrate-check.action.js');
      await runMigrateCheck(options);
    });
}
