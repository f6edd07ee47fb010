import { type AgentEndpoint, MemoryDirectory, type PodRegistration } from '@kemu/cni/agent';
import { type Node, type Pod, type Store, updateWithRetry } from '@kemu/core';
import type { InformerFactory } from '../lab/informer.js';

// flannel keeps each node's VTEP in Node annotations (flannel-io/flannel pkg/subnet/kube,
// Documentation/kubernetes.md); kemu does the same, plus the HTTP/2 tunnel and VXLAN ports a
// loopback lab needs because every agent shares one host.
export const flannelAnnotations = {
  backendType: 'flannel.alpha.coreos.com/backend-type',
  backendData: 'flannel.alpha.coreos.com/backend-data',
  publicIP: 'flannel.alpha.coreos.com/public-ip',
  kubeSubnetManager: 'flannel.alpha.coreos.com/kube-subnet-manager',
} as const;

/** kemu's own node annotations: where the agent's tunnel and VXLAN socket listen. */
export const agentPortAnnotations = { tunnelPort: 'kemu.dev/tunnel-port', vxlanPort: 'kemu.dev/vxlan-port' } as const;

/** The Node annotations that publish an agent's endpoint. */
export function agentAnnotations(endpoint: AgentEndpoint, vni: number): Record<string, string> {
  return {
    [flannelAnnotations.backendType]: 'vxlan',
    [flannelAnnotations.backendData]: JSON.stringify({ VNI: vni, VtepMAC: endpoint.vtepMac }),
    [flannelAnnotations.publicIP]: endpoint.address,
    [flannelAnnotations.kubeSubnetManager]: 'true',
    [agentPortAnnotations.tunnelPort]: String(endpoint.tunnelPort),
    [agentPortAnnotations.vxlanPort]: String(endpoint.vxlanPort),
  };
}

/** The agent endpoint a Node's annotations publish, if complete. */
export function agentEndpointOf(node: Node): AgentEndpoint | undefined {
  const annotations = node.metadata.annotations ?? {};
  const address = annotations[flannelAnnotations.publicIP];
  const tunnelPort = Number(annotations[agentPortAnnotations.tunnelPort]);
  const vxlanPort = Number(annotations[agentPortAnnotations.vxlanPort]);
  if (!address || !(tunnelPort > 0) || !(vxlanPort > 0)) return undefined;
  let vtepMac = '';
  try {
    vtepMac = (JSON.parse(annotations[flannelAnnotations.backendData] ?? '{}') as { VtepMAC?: string }).VtepMAC ?? '';
  } catch {
    return undefined;
  }
  return { node: node.metadata.name, address, tunnelPort, vxlanPort, vtepMac };
}

/** Writes an agent's endpoint on its Node (no write when it is already there). */
export async function publishAgentEndpoint(store: Store, endpoint: AgentEndpoint, vni = 1): Promise<void> {
  const wanted = agentAnnotations(endpoint, vni);
  await updateWithRetry<Node>(store, { kind: 'Node', name: endpoint.node }, (node) => {
    const current = node.metadata.annotations ?? {};
    if (Object.entries(wanted).every(([k, v]) => current[k] === v)) return undefined;
    node.metadata.annotations = { ...current, ...wanted };
    return node;
  });
}

/**
 * The cluster's address book for the node agents: this process's own agents and pods first (they
 * register synchronously), then the rest of the lab from the store — pods by `status.podIP`, agents
 * from their Node annotations — so agents in other processes are reached through the tunnel.
 */
export class StoreDirectory extends MemoryDirectory {
  private informers: InformerFactory | undefined;
  private readonly podsByIP = new Map<string, Pod>();
  private readonly wellKnown = new Map<string, PodRegistration & { node: string }>();

  /** `peers` are sources every process knows without the store, e.g. the lab's ingress controller. */
  constructor(peers: readonly (PodRegistration & { node: string })[] = []) {
    super();
    for (const peer of peers) this.wellKnown.set(peer.ip, peer);
  }

  /** Starts following Pods and Nodes. */
  follow(informers: InformerFactory): void {
    this.informers = informers;
    informers.for<Node>('Node');
    informers.for<Pod>('Pod').on((type, pod, previous) => {
      const before = previous?.status?.podIP;
      if (before && this.podsByIP.get(before)?.metadata.uid === pod.metadata.uid) this.podsByIP.delete(before);
      const ip = pod.status?.podIP;
      const phase = pod.status?.phase;
      if (type === 'DELETED' || !ip || !pod.spec.nodeName || phase === 'Succeeded' || phase === 'Failed') {
        if (ip && this.podsByIP.get(ip)?.metadata.uid === pod.metadata.uid) this.podsByIP.delete(ip);
        return;
      }
      this.podsByIP.set(ip, pod);
    });
  }

  override podByIP(ip: string): (PodRegistration & { node: string }) | undefined {
    const local = super.podByIP(ip);
    if (local) return local;
    const pod = this.podsByIP.get(ip);
    if (!pod) return this.wellKnown.get(ip);
    return {
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      ip,
      labels: pod.metadata.labels ?? {},
      ports: pod.spec.containers.flatMap((c) => c.ports ?? []),
      node: pod.spec.nodeName!,
    };
  }

  override agent(node: string): AgentEndpoint | undefined {
    const local = super.agent(node);
    if (local) return local;
    const object = this.informers?.for<Node>('Node').get(undefined, node);
    return object ? agentEndpointOf(object) : undefined;
  }
}
