import { type Command, Option } from 'commander';
import { filenameOption } from '../cli/options.js';
import { outputFormats } from '../cli/output.js';
import { addServerOptions } from '../lab/client/options.js';

/** Options of `kemu trace` (both forms). */
export interface TraceOptions {
  filename?: string[];
  from: string;
  to?: string;
  port: string;
  output?: string;
  namespace?: string;
  request?: string;
  server?: string;
  token?: string;
}

/**
 * `kemu trace`, two forms:
 * - `--from NS/POD --to NS/POD|IP -f FILES`: the hops a packet takes in the CNI model (route,
 *   VXLAN, policy), from manifests;
 * - `--from pod/NAME [-n NS] URL`: against a running lab, the models' hops (Service → endpoint,
 *   pod → pod) beside the hops of the same request really sent from the pod's network.
 */
export function defineTraceCommand(program: Command): void {
  addServerOptions(
    program
      .command('trace')
      .description(
        'show the hops from a pod: to a pod or address in the model (-f FILES --to), or to a URL in a running lab (model and real request side by side)',
      )
      .argument('[url]', 'live form: http://SERVICE.NAMESPACE[:PORT]/PATH, a ClusterIP or a pod IP, sent from the pod')
      .addOption(filenameOption(false))
      .requiredOption('--from <pod>', 'source pod: NAMESPACE/POD (model form), pod/NAME or NAME with -n (live form)')
      .option('--to <dest>', 'model form: destination NAMESPACE/POD or an IP address')
      .option('--port <port>', 'model form: PORT or PORT/PROTOCOL', '80/TCP')
      .option('-n, --namespace <namespace>', 'live form: namespace of the source pod', 'default')
      .option('-X, --request <method>', 'live form: HTTP method of the real request', 'GET')
      .addOption(
        new Option('-o, --output <format>', 'output format (default json for the model form, text for the live form)').choices(
          outputFormats,
        ),
      ),
  ).action(async (url: string | undefined, options: TraceOptions) => {
    if (url !== undefined && options.filename === undefined && options.to === undefined) {
      const { runLiveTrace } = await import('./trace-live.action.js');
      await runLiveTrace(url, { ...options, namespace: options.namespace ?? 'default' });
      return;
    }
    const { runTrace } = await import('./trace.action.js');
    await runTrace(url, options);
  });
}
