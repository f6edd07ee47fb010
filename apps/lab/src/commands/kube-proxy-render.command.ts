import { type Command, Option } from 'commander';
import { commandGroup, filenameOption } from '../cli/options.js';
import { addServerOptions } from '../lab/client/options.js';

/** `kemu render iptables|nftables|ipvs --node NAME -f FILES | --lab`: the rules kube-proxy would program on a node. */
export function defineKubeProxyRenderCommands(program: Command): void {
  const render = commandGroup(program, 'render', 'print what a component would program for the given objects');
  for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
    const command = render
      .command(mode)
      .description(
        mode === 'iptables'
          ? 'kube-proxy iptables-restore input (nat + filter) for a node'
          : mode === 'nftables'
            ? 'kube-proxy nftables transaction (table kube-proxy) for a node'
            : 'kube-proxy IPVS virtual servers for a node, as ipvsadm -Ln prints them',
      )
      .requiredOption('--node <name>', 'node name (its Node object, if in FILES or the lab, gives the zone label and InternalIP)')
      .option('--cluster-cidr <cidr>', 'pod CIDR for detect-local (kube-proxy --cluster-cidr)', '10.244.0.0/16')
      .option('--service-cidr <cidr...>', 'service CIDRs (nftables cluster-ips-check)', ['10.96.0.0/12'])
      .addOption(filenameOption(false))
      .option('--lab', "read the running lab's Services, EndpointSlices and Nodes from its API (--server) instead of -f");
    addServerOptions(command);
    if (mode === 'iptables') {
      command.addOption(
        new Option('--form <form>', 'restore: kube-proxy’s input; save: as iptables-save prints it back')
          .choices(['restore', 'save'])
          .default('restore'),
      );
    }
    if (mode === 'ipvs') command.option('--scheduler <name>', 'IPVS scheduler (--ipvs-scheduler)', 'rr');
    command.action(async (options: RenderOptions) => {
      const { runKubeProxyRender } = await import('./kube-proxy-render.action.js');
      await runKubeProxyRender(mode, options);
    });
  }
}

/** Options of `kemu render iptables|nftables|ipvs`. */
export interface RenderOptions {
  node: string;
  clusterCidr: string;
  serviceCidr: string[];
  filename?: string[];
  /** Read the objects from the running lab's API instead of files. */
  lab?: boolean;
  server?: string;
  token?: string;
  form?: 'restore' | 'save';
  scheduler?: string;
}
