import { type Command, Option } from 'commander';
import { filenameOption } from '../cli/options.js';

/** Options of `kemu graph`. */
export interface GraphOptions {
  filename?: string[];
  lab?: string | true;
  format: 'mermaid' | 'svg';
  out?: string;
}

/** `kemu graph -f FILES | --lab [URL]`: the lab as a Mermaid diagram, or an SVG picture. */
export function defineGraphCommand(program: Command): void {
  program
    .command('graph')
    .description(
      'draw a lab (from manifests, or a running lab with --lab): ingress → services → workloads → volumes, policies as dotted edges',
    )
    .addOption(filenameOption(false))
    .option(
      '--lab [dashboard]',
      'draw the running lab whose dashboard is at this URL (default http://127.0.0.1:7070): pods per node, services to their endpoints',
    )
    .addOption(new Option('--format <format>', 'mermaid text or an SVG picture').choices(['mermaid', 'svg']).default('mermaid'))
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (options: GraphOptions) => {
      const { runGraph } = await import('./graph.action.js');
      await runGraph(options);
    });
}
