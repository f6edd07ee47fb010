import type { KubernetesObject, Node } from '@kemu/core';
import { Proxier, type ProxierConfig } from '@kemu/kube-proxy';
import { CliExit, exitCodes } from '../cli/exit.js';
import { loadManifestsForCommand } from '../cli/manifests.js';
import { resourceOfKind } from '../lab/api/resources.js';
import { LabClient } from '../lab/client/api-client.js';
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

/** What kube-proxy watches (pkg/proxy/config: Services, EndpointSlices, and its own Node), read from a running lab. */
async function labObjects(options: RenderOptions): Promise<KubernetesObject[]> {
  const client = new LabClient(options);
  const [services, slices, nodes] = await Promise.all(
    ['Service', 'EndpointSlice', 'Node'].map((kind) => client.list(resourceOfKind(kind))),
  );
  const names = (nodes ?? []).map((n) => n.metadata.name);
  if (!names.includes(options.node))
    throw new CliExit(
      exitCodes.userError,
      `error: node "${options.node}" is not in the lab at ${client.server}; its nodes: ${names.join(', ')}`,
    );
  return [...(services ?? []), ...(slices ?? []), ...(nodes ?? [])];
}

/** The objects to render from: the manifests given with -f, or the running lab with --lab. */
async function renderObjects(options: RenderOptions): Promise<KubernetesObject[]> {
  if (options.lab && options.filename?.length)
    throw new CliExit(exitCodes.userError, 'error: give either -f FILES or --lab, not both');
  if (options.lab) return labObjects(options);
  if (!options.filename?.length)
    throw new CliExit(exitCodes.userError, 'error: give manifests with -f, or --lab to read the running lab');
  return (await loadManifestsForCommand(options.filename)).objects;
}

/** Prints the ruleset kube-proxy would program on the node. */
export async function runKubeProxyRender(mode: 'iptables' | 'nftables' | 'ipvs', options: RenderOptions): Promise<void> {
  const objects = await renderObjects(options);
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
