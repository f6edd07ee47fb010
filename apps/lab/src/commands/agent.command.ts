import type { Command } from 'commander';
import { parseInteger } from '../cli/options.js';

/** Options of `kemu agent`. */
export interface AgentOptions {
  store: string;
  lab: string;
  node: string;
  advertise: string;
  zone: string;
  dataDir?: string;
  heartbeat: number;
  admissionTimeout: number;
  kubeletTlsCert?: string;
  kubeletTlsKey?: string;
}

/** `kemu agent --store redis://… --lab NAME --node NODE --advertise ADDR`: one node of a lab as its own process. */
export function defineAgentCommand(program: Command): void {
  program
    .command('agent')
    .description(
      'run one node of a lab in this process: its pods, heartbeats, overlay endpoint (tunnel + VXLAN), pod proxies and CSI node plugin, joined to a control plane (`kemu up --no-agents`) through a shared Redis store',
    )
    .requiredOption('--store <url>', 'the lab’s store: redis://HOST:PORT[/db], the same as the control plane’s')
    .option('--lab <name>', 'lab name inside the store', 'default')
    .requiredOption('--node <name>', 'the node this agent runs (registered if the store has no such Node)')
    .option(
      '--advertise <address>',
      'address the agent listens on and other agents dial: tunnel, VXLAN and pod proxies (on one machine: 127.0.0.2, 127.0.0.3, …)',
      '127.0.0.2',
    )
    .option('--zone <zone>', 'topology.kubernetes.io/zone of the Node when this agent registers it', 'zone-a')
    .option(
      '--data-dir <path>',
      'the lab’s data folder, shared with the control plane (default: the same as `kemu up` picks for the lab)',
    )
    .option('--heartbeat <ms>', 'Lease renew interval', parseInteger('--heartbeat', 50, 60_000), 1000)
    .option(
      '--admission-timeout <ms>',
      'how long to wait for the control plane to give the Node a pod CIDR',
      parseInteger('--admission-timeout', 100),
      30_000,
    )
    .option(
      '--kubelet-tls-cert <file>',
      'PEM certificate the kubelet endpoint serves HTTPS with (intermediates may follow it), as the kubelet’s --tls-cert-file; default: a self-signed one made at each start',
    )
    .option('--kubelet-tls-key <file>', 'PEM private key of --kubelet-tls-cert, as the kubelet’s --tls-private-key-file')
    .action(async (options: AgentOptions) => {
      const { runAgent } = await import('./agent.action.js');
      await runAgent(options);
    });
}
