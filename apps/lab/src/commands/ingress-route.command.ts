import { type Command, Option } from 'commander';
import { commandGroup, filenameOption, outputOption, parseInteger } from '../cli/options.js';

/** `kemu route http -f FILES --host H --path P [--method M] [--header K=V]...`: which backend, and why. */
export function defineIngressRouteCommand(program: Command): void {
  commandGroup(program, 'route', 'show where a request or connection would go, and why')
    .command('http')
    .description('route one HTTP request through the Ingress / HTTPRoute rules (JSON: route, backend or status, explanation)')
    .requiredOption('--host <host>', 'Host header (a port is allowed and ignored)')
    .requiredOption('--path <path>', 'request path, optionally with ?query')
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--header <name=value>', 'request header (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .addOption(new Option('--scheme <scheme>', 'scheme the listener saw').choices(['http', 'https']).default('http'))
    .option('--port <port>', 'listener port (default 80 for http, 443 for https)', parseInteger('--port', 1, 65535))
    .option('--client-ip <ip>', 'client address (whitelist-source-range, X-Real-IP)', '127.0.0.1')
    .option('--random <r>', 'value in [0,1) standing in for the random draw of weights and canaries', '0')
    .addOption(
      new Option('--data-plane <plane>', 'which router answers (auto: Gateway API when a kemu Gateway listens on the port)')
        .choices(['auto', 'ingress-nginx', 'gateway'])
        .default('auto'),
    )
    .addOption(
      new Option('--profile <profile>', 'Ingress path semantics').choices(['ingress-nginx', 'spec']).default('ingress-nginx'),
    )
    .addOption(filenameOption())
    .addOption(outputOption('json'))
    .action(async (options: RouteHttpOptions) => {
      const { runIngressRoute } = await import('./ingress-route.action.js');
      await runIngressRoute(options);
    });
}

/** Options of `kemu route http`. */
export interface RouteHttpOptions {
  host: string;
  path: string;
  method: string;
  header: string[];
  scheme: 'http' | 'https';
  port?: number;
  clientIp: string;
  random: string;
  dataPlane: 'auto' | 'ingress-nginx' | 'gateway';
  profile: 'ingress-nginx' | 'spec';
  filename: string[];
  output: string;
}
