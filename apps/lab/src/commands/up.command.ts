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
  /** `memory` or a Redis URL (`redis://HOST:PORT[/db]`): where the lab keeps its state. */
  store: string;
  /** Lab name inside a shared Redis (labs sharing one Redis never see each other). */
  lab: string;
  /** Run in a background process and return once its entry points are known. */
  detach?: boolean;
  /** `--no-agents`: false runs the control plane only (nodes come from `kemu agent` processes). */
  agents: boolean;
  /** The lab's data folder (volumes, logs). */
  dataDir?: string;
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
    .option(
      '--store <store>',
      'where the lab keeps its state: memory, or redis://HOST:PORT[/db] (kept across restarts)',
      'memory',
    )
    .option('--lab <name>', 'lab name inside a shared Redis store', 'default')
    .option('-d, --detach', 'run the lab in a background process (stop it with `kemu down`)')
    .option(
      '--no-agents',
      'run only the control plane (API, controllers, ingress, service proxy, DNS, dashboard); nodes join with `kemu agent` on the same Redis store',
    )
    .option(
      '--data-dir <path>',
      'where volumes and logs live (default: a temporary folder; with a Redis store, one per lab kept across restarts and shared with its agents)',
    )
    .action(async (options: UpOptions) => {
      if (options.detach) {
        const { runUpDetached } = await import('./up-detach.action.js');
        await runUpDetached(process.argv.slice(2));
        return;
      }
      const { runUp } = await import('./up.action.js');
      await runUp(options);
    });
}
