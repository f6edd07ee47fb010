// @kemu/kube-proxy/proxy — the data plane: a userspace L4 proxy (NodePorts, LoadBalancer host
// ports, pod egress to ClusterIPs) and cluster DNS, all on loopback. Uses the model from
// `@kemu/kube-proxy` for every decision.
export { answerWire, type DnsServer, startDnsServer } from './dns-server.js';
export type { ListenerInfo } from './listeners.js';
export {
  type ClientInfo,
  type EndpointResolver,
  NodeProxy,
  type NodeProxyOptions,
} from './node-proxy.js';
export { dial, type RealAddress, splice } from './tcp.js';
export { type UdpFlowInfo, UdpFlowTable, type UdpFlowTableOptions, type UdpFlowTarget } from './udp.js';
