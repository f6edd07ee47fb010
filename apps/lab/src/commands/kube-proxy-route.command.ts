import { type Command, Option } from 'commander';
import { commandGroup, filenameOption, outputOption } from '../cli/options.js';

/** `kemu route service NS/NAME:PORT --from-node N [--client-ip IP] -f FILES`: which endpoint, and why. */
export function defineKubeProxyRouteCommand(program: Command): void {
  commandGroup(program, 'route', 'show where a request or connection would go, and why')
    .command('service')
    .description('route one new connection to a Service port through kube-proxy’s rules on a node (JSON with reasons)')
    .argument('<service>', 'NAMESPACE/NAME:PORT (port name or number; NAMESPACE/NAME for an unnamed port)')
    .requiredOption('--from-node <name>', 'node whose kube-proxy handles the connection')
    .option('--client-ip <ip>', 'client source IP (default: a pod IP inside the cluster CIDR)', '10.244.0.100')
    .option('--client-port <port>', 'client source port (hash input for Maglev / seeds the random pick)', '40000')
    .addOption(
      new Option('--via <kind>', 'how the Service is addressed')
        .choices(['clusterIP', 'externalIP', 'loadBalancer', 'nodePort'])
        .default('clusterIP'),
    )
    .addOption(
      new Option('--mode <mode>', 'data plane that picks')
        .choices(['iptables', 'nftables', 'ipvs', 'maglev'])
        .default('iptables'),
    )
    .option('--scheduler <name>', 'IPVS scheduler with --mode ipvs', 'rr')
    .option('--cluster-cidr <cidr>', 'pod CIDR for detect-local (kube-proxy --cluster-cidr)', '10.244.0.0/16')
    .addOption(filenameOption())
    .addOption(outputOption('json'))
    .action(async (service: string, options: RouteServiceOptions) => {
      const { runKubeProxyRoute } = await import('./kube-proxy-route.action.js');
      await runKubeProxyRoute(service, options);
    });
}

/** Options of `kemu route service`. */
export interface RouteServiceOptions {
  fromNode: string;
  clientIp: string;
  clientPort: string;
  via: 'clusterIP' | 'externalIP' | 'loadBalancer' | 'nodePort';
  mode: 'iptables' | 'nftables' | 'ipvs' | 'maglev';
  scheduler: string;
  clusterCidr: string;
  filename: string[];
  output: string;
}
