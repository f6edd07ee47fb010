import type { KubernetesObject, Node } from '@kemu/core';
import { Proxier, type ProxierConfig } from '@kemu/kube-proxy';
import { loadManifestsForCommand } from '../cli/manifests.js';
import type { RenderOptions } from './kube-proxy-render.command.js';

/** The proxier config for `node`: its zone label and InternalIP come from its Node object when present. */
export function nodeProxierConfig(
  objects: readonly KubernetesObject[],
  node: string,
  clusterCIDR: string,
  serviceCIDRs?: string[],
): ProxierConfig {
  const nodeObject = objects.find((o): o is Node => o.kind === 'Node' && o.metadata.name === node);
  return {
    nodeName: node,
    zone: nodeObject?.metadata.labels?.['topology.kubernetes.io/zone'],
    nodeIP: nodeObject?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
    clusterCIDR,
    serviceCIDRs,
  };
}

/** Prints the ruleset kube-proxy would program on the node. */
export async function runKubeProxyRender(mode: 'iptables' | 'nftables' | 'ipvs', options: RenderOptions): Promise<void> {
  const { objects } = await loadManifestsForCommand(options.filename);
  const proxier = Proxier.from(objects, nodeProxierConfig(objects, options.node, options.clusterCidr, options.serviceCidr));
  const text =
    mode === 'iptables'
      ? options.form === 'save'
        ? proxier.iptablesSave()
        : proxier.iptables().text
      : mode === 'nftables'
        ? proxier.nftables()
        : proxier.ipvs(options.scheduler);
  process.stdout.write(text);
}
