// @kemu/cni/agent — the data plane: node agents moving real bytes over loopback.
export { NodeAgent, type PodAttachment, startNodeAgent } from './agent.js';
export { AgentCounters, type TrafficCounters } from './counters.js';
export type { DatagramOutcome } from './datagram-path.js';
export type { DestinationFlow, DestinationFlowInfo } from './destination-flows.js';
export { MemoryDirectory } from './directory.js';
export { formatHops, hopsHeader, parseHops, reasonHeader } from './hops-header.js';
export { createHttpProxy, type Dialer, parseAuthority } from './http-proxy.js';
export { createSocksProxy, type DatagramRelay, type DatagramReply, socksReply, udpHeader } from './socks.js';
export type { FlowEnd, SourceFlow } from './source-flows.js';
export {
  createTunnelServer,
  splice,
  type TunnelDecision,
  TunnelPool,
  type TunnelRequest,
  tunnelHeaders,
  tunnelSettings,
} from './tunnel.js';
export type {
  AgentDirectory,
  AgentEndpoint,
  ConnectOutcome,
  NameAnswer,
  NameResolver,
  NodeAgentOptions,
  PodRegistration,
  ServiceClient,
  ServiceRejection,
  ServiceResolver,
} from './types.js';
export { defaultUdpTimeouts, type UdpTimeouts, udpIdleTimeout } from './udp-flow-timer.js';
