// The model's side of `kemu trace --from pod/NAME URL`: what @kemu/kube-proxy would do with the
// connection on the source pod's node (Service → endpoint) and what @kemu/cni says about the
// packet from the pod to that endpoint (policy verdicts, bridge or VXLAN). Pure: objects in, hops out.
import { buildClusterModel, type PacketTrace, tracePacket } from '@kemu/cni';
import type { KubernetesObject, Namespace, NetworkPolicy, Node, Pod } from '@kemu/core';
import { Proxier, tracePacket as traceService } from '@kemu/kube-proxy';

/** The pod network of a lab (kubeadm's default, as the lab's service proxy assumes). */
const clusterCIDR = '10.244.0.0/16';
/** flannel's annotation with the address its VXLAN frames leave from (the node agent's loopback address). */
const publicIPAnnotation = 'flannel.alpha.coreos.com/public-ip';

/** What kube-proxy on the source node does with the connection. */
export interface ModelService {
  /** `ns/name:port` as kube-proxy names the service port. */
  servicePort: string;
  verdict: 'DNAT' | 'REJECT' | 'DROP';
  /** The endpoint this flow gets (`ip:port`), with its pod and node. */
  endpoint?: { ip: string; port: number; pod?: string; node?: string };
  chains: readonly string[];
  candidates: readonly string[];
  reasons: readonly { code: string; detail: string }[];
}

/** The model's whole answer. */
export interface ModelTrace {
  service?: ModelService;
  /** Pod → destination through the CNI model (absent when kube-proxy stops the connection). */
  packet?: PacketTrace;
  /** Why the model could not trace (e.g. the source pod has no address yet). */
  error?: string;
}

/** One flow: the source pod and the address and port it dials. */
export interface ModelFlow {
  namespace: string;
  pod: string;
  podIP: string;
  node: string;
  sourcePort?: number;
  destIP: string;
  destPort: number;
}

/** Nodes as the CNI model needs them: the underlay address is flannel's public IP (the agent's address). */
function underlayNodes(nodes: readonly Node[]): Node[] {
  return nodes.map((n) => {
    const publicIP = n.metadata.annotations?.[publicIPAnnotation];
    if (!publicIP) return n;
    return { ...n, status: { ...n.status, addresses: [{ type: 'InternalIP', address: publicIP }] } };
  });
}

/** Traces `flow` through the kube-proxy and CNI models built from the lab's current objects. */
export function traceModel(objects: readonly KubernetesObject[], flow: ModelFlow): ModelTrace {
  const of = <T extends KubernetesObject>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
  const trace: ModelTrace = {};
  let destIP = flow.destIP;
  let destPort = flow.destPort;
  const proxier = Proxier.from(
    objects.filter((o) => o.kind === 'Service' || o.kind === 'EndpointSlice'),
    { nodeName: flow.node, clusterCIDR },
  );
  const caught = traceService(proxier, {
    sourceIP: flow.podIP,
    sourcePort: flow.sourcePort,
    destIP,
    destPort,
    protocol: 'TCP',
  });
  if (caught.selection) {
    const s = caught.selection;
    trace.service = {
      servicePort: s.servicePort,
      verdict: s.verdict,
      ...(s.endpoint
        ? {
            endpoint: {
              ip: s.endpoint.ip,
              port: s.endpoint.port,
              ...(s.endpoint.podName ? { pod: s.endpoint.podName } : {}),
              ...(s.endpoint.nodeName ? { node: s.endpoint.nodeName } : {}),
            },
          }
        : {}),
      chains: s.chains,
      candidates: s.candidates,
      reasons: s.reasons.map((r) => ({ code: r.code, detail: r.detail })),
    };
    if (!s.endpoint) return trace;
    destIP = s.endpoint.ip;
    destPort = s.endpoint.port;
  }
  // Only pods that hold an address take part: the model must not invent addresses for pending pods.
  const pods = of<Pod>('Pod').filter((p) => p.status?.podIP && p.spec.nodeName && !p.metadata.deletionTimestamp);
  try {
    const model = buildClusterModel({
      nodes: underlayNodes(of<Node>('Node')),
      pods,
      namespaces: of<Namespace>('Namespace'),
      policies: of<NetworkPolicy>('NetworkPolicy'),
    });
    trace.packet = tracePacket(model, `${flow.namespace}/${flow.pod}`, destIP, { port: destPort, protocol: 'TCP' });
  } catch (error) {
    trace.error = (error as Error).message;
  }
  return trace;
}
