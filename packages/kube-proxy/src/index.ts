// @kemu/kube-proxy — the kube-proxy model: pure, synchronous, no sockets, no timers, no clock.
// The data plane (L4 proxy, cluster DNS) is the subpath export `@kemu/kube-proxy/proxy`.

// Configuration
export { type ProxierConfig, type ResolvedConfig, resolveConfig } from './config.js';
// Conntrack cleanup (which UDP flows a sync makes stale)
export {
  type ConntrackFrontend,
  type StaleConntrackEntry,
  type StaleConntrackReason,
  staleConntrackEntries,
  staleConntrackReasons,
  staleEntryFor,
} from './conntrack/cleanup.js';
export { type ConntrackFilter, type ConntrackFlow, conntrackFilterMatches } from './conntrack/filter.js';
// DNS answers (served by @kemu/kube-proxy/proxy)
export { ClusterDns, type ClusterDnsOptions, type DnsAnswer, type DnsQuestion, type DnsRecord } from './dns/cluster-dns.js';
export { type PodNameOptions, type PodNameResolution, resolvePodName } from './dns/pod-resolver.js';
// Errors
export {
  BackendUnreachableError,
  InvalidOptionError,
  type KubeProxyErrorCode,
  kubeProxyErrorCodes,
  ListenFailedError,
  NodePortConflictError,
  NoEndpointsError,
  ServiceNotFoundError,
} from './errors.js';
// Names and hashes
export {
  type IPTablesChainNames,
  iptablesChainNames,
  iptablesEndpointChainName,
  joinHostPort,
  nftEndpointBase,
  nftServiceBase,
  portProtoHash,
} from './names.js';
// The proxier (rules + partial sync)
export { Proxier, type ProxyChange, type SyncResult } from './proxier.js';
// Renderers
export type { IPTablesRuleset } from './render/iptables.js';
export { type IPTablesFragment, iptablesFragment, probability } from './render/iptables-fragment.js';
export { kernelProbability, ruleToSaveForm, toIPTablesSave } from './render/iptables-save.js';
export { ipvsSchedulers, ipvsVirtualServers, renderIPVS, type VirtualServer } from './render/ipvs.js';
export { renderNFTables } from './render/nftables.js';
// Selection
export { AffinityTable } from './selection/affinity.js';
export {
  type IPVSDestination,
  type IPVSPick,
  type IPVSScheduler,
  type IPVSSchedulerState,
  ipvsSchedule,
  newSchedulerState,
} from './selection/ipvs-schedulers.js';
export { checkMaglevSize, flowHash, MaglevTable, maglevTableSizes } from './selection/maglev.js';
export { IPTablesPicker, numgenPick } from './selection/pickers.js';
export { fnv1a, type RandomSource, seededRandom } from './selection/random.js';
export { type SelectionReason, type SelectionReasonCode, selectionReasons } from './selection/reasons.js';
export {
  type ConnectionRequest,
  type DestinationKind,
  findServicePort,
  requireEndpoint,
  route,
  type Selection,
  type SelectionMode,
} from './selection/route.js';
export { type Packet, type PacketTrace, type TraceOptions, tracePacket } from './selection/trace.js';
// The service table
export {
  type Categorized,
  categorizeEndpoints,
  isLocalEndpoint,
  type NodeTopology,
  type TopologyMode,
  topologyModeFromHints,
} from './table/categorize.js';
export { compareEndpointStrings, headlessLabel, readEndpoints, sliceServiceKey } from './table/endpoints.js';
export {
  defaultAffinityTimeoutSeconds,
  readServicePorts,
  servicePortNameString,
  serviceProxyNameLabel,
  skipReason,
} from './table/service-port.js';
export { compareServicePorts, ServiceTable, type ServiceTableOptions } from './table/table.js';
export type { EndpointInfo, ServicePortInfo, ServicePortState, SessionAffinity, TableWarning } from './table/types.js';
