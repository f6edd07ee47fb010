import type { Command } from 'commander';
import { filenameOption, parseInteger } from '../cli/options.js';

/** Options of `kemu up`. */
export interface UpOptions {
  filename?: string[];
  nodes: number;
  apiHost: string;
  apiPort: number;
  token?: string;
  nodeMonitorGrace: number;
  ingressPort: number;
  dashboardPort: number;
  dnsPort: number;
}

/** `kemu up -f PATH... [--nodes N]`: run a lab in the foreground until Ctrl-C. */
export function defineUpCommand(program: Command): void {
  program
    .command('up')
    .description(
      'run a lab in the foreground: nodes, control loops, pods on loopback, volumes, service proxy, DNS, ingress, dashboard and the API server (Ctrl-C stops it gracefully)',
    )
    .addOption(filenameOption(false))
    .option(
      '--nodes <n>',
      'worker nodes when the manifests define none (kemu-worker, kemu-worker2, …)',
      parseInteger('--nodes', 1, 500),
      1,
    )
    .option('--api-host <host>', 'address of the API server (a bearer token is required beyond loopback)', '127.0.0.1')
    .option('--api-port <port>', 'port of the API server (0: any free port)', parseInteger('--api-port', 0, 65535), 7443)
    .option('--token <token>', 'bearer token of the API server (generated when bound beyond loopback)')
    .option(
      '--ingress-port <port>',
      'the ingress HTTP port on 127.0.0.1 (0: any free port)',
      parseInteger('--ingress-port', 0, 65535),
      8080,
    )
    .option(
      '--dashboard-port <port>',
      'the dashboard and /metrics port on 127.0.0.1 (0: any free port)',
      parseInteger('--dashboard-port', 0, 65535),
      7070,
    )
    .option('--dns-port <port>', 'the cluster DNS port on 127.0.0.1 (0: any free port)', parseInteger('--dns-port', 0, 65535), 0)
    .option('--node-monitor-grace <ms>', 'how long a silent node stays Ready', parseInteger('--node-monitor-grace', 100), 5000)
    .action(async (options: UpOptions) => {
      const { runUp } = await import('./up.action.js');
      await runUp(options);
    });
}
