import { type Command, Option } from 'commander';
import { filenameOption } from '../cli/options.js';

/** `kemu graph -f FILES`: the lab as a Mermaid diagram, or an SVG picture. */
export function defineGraphCommand(program: Command): void {
  program
    .command('graph')
    .description('draw the lab from manifests: ingress → services → workloads → volumes, policies as dotted edges')
    .addOption(filenameOption())
    .addOption(new Option('--format <format>', 'mermaid text or an SVG picture').choices(['mermaid', 'svg']).default('mermaid'))
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (options: { filename: string[]; format: 'mermaid' | 'svg'; out?: string }) => {
      const { runGraph } = await import('./graph.action.js');
      await runGraph(options);
    });
}
