import type { Command } from 'commander';
import { parseInteger } from '../cli/options.js';
import { addServerOptions, namespaceOption } from '../lab/client/options.js';

/** Options of `kemu curl`. */
export interface CurlOptions {
  from: string;
  namespace: string;
  request?: string;
  header: string[];
  data?: string;
  include?: boolean;
  verbose?: boolean;
  maxTime: number;
  server?: string;
  token?: string;
}

/** `kemu curl --from pod/NAME [-n NS] URL`: an HTTP request made from inside a pod's network in a running lab. */
export function defineCurlCommand(program: Command): void {
  addServerOptions(
    program
      .command('curl')
      .description("send an HTTP request from inside a pod's network in a running lab (NetworkPolicy, Services, tunnel)")
      .argument('<url>', 'http://SERVICE.NAMESPACE[:PORT]/PATH, a ClusterIP or a pod IP (http:// is assumed)')
      .requiredOption('--from <pod>', 'the pod the request leaves from: pod/NAME or NAME')
      .addOption(namespaceOption())
      .option('-X, --request <method>', 'HTTP method (default GET, or POST with -d)')
      .option('-H, --header <header>', "extra header 'Name: value' (repeatable)", (v: string, all: string[]) => [...all, v], [])
      .option('-d, --data <data>', 'request body (sends POST unless -X says otherwise)')
      .option('-i, --include', 'print the response status line and headers before the body')
      .option('-v, --verbose', 'print how the host was resolved and the hops the node agents took, on stderr')
      .option('-m, --max-time <seconds>', 'give up after this many seconds', parseInteger('--max-time', 1, 3600), 10),
  ).action(async (url: string, options: CurlOptions) => {
    const { runCurl } = await import('./curl.action.js');
    await runCurl(url, options);
  });
}
