// pkg/proxy/topology.go CategorizeEndpoints, line for line, with the reasons kept.
import type { EndpointInfo, ServicePortInfo } from './types.js';

/** The node a proxier runs on, as CategorizeEndpoints sees it. */
export interface NodeTopology {
  /** `--hostname-override` / node name; "" means no endpoint is local. */
  readonly nodeName: string;
  /** The node's `topology.kubernetes.io/zone` label ("" when unlabelled). */
  readonly zone: string;
  /** PreferSameTrafficDistribution gate (node hints); on by default since 1.34. */
  readonly nodeHints?: boolean;
}

/** Topology mode chosen from the hints ("" = none). */
export type TopologyMode = '' | 'PreferSameZone' | 'PreferSameNode';

/** The four results of CategorizeEndpoints plus why they came out so. */
export interface Categorized {
  /** Cluster-policy endpoints (topology applied, terminating fallback); empty when unused. */
  readonly clusterEndpoints: readonly EndpointInfo[];
  /** Local-policy endpoints; empty when unused. */
  readonly localEndpoints: readonly EndpointInfo[];
  /** Endpoints that get SEP chains: sorted by `ip:port` (upstream leaves the union unordered). */
  readonly allReachable: readonly EndpointInfo[];
  /** A usable endpoint exists somewhere in the cluster. */
  readonly hasAnyEndpoints: boolean;
  readonly topologyMode: TopologyMode;
  /** Cluster side fell back to serving+terminating endpoints. */
  readonly clusterUsesTerminating: boolean;
  /** Local side fell back to serving+terminating endpoints. */
  readonly localUsesTerminating: boolean;
  /** Human-readable notes (why topology was or was not used). */
  readonly notes: readonly string[];
}

/** True when the endpoint runs on `nodeName` (endpointslicecache.go isLocal). */
export function isLocalEndpoint(endpoint: EndpointInfo, nodeName: string): boolean {
  return nodeName !== '' && endpoint.nodeName === nodeName;
}

/** topology.go topologyModeFromHints. */
export function topologyModeFromHints(
  endpoints: readonly EndpointInfo[],
  node: NodeTopology,
  notes: string[] = [],
): TopologyMode {
  let hasReady = false;
  let hasForNode = false;
  let allNodeHints = true;
  let hasForZone = false;
  let allZoneHints = true;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    hasReady = true;
    if (ep.nodeHints.size === 0) allNodeHints = false;
    else if (ep.nodeHints.has(node.nodeName)) hasForNode = true;
    if (ep.zoneHints.size === 0) allZoneHints = false;
    else if (ep.zoneHints.has(node.zone)) hasForZone = true;
  }
  if (!hasReady) return '';
  if (node.nodeHints ?? true) {
    if (allNodeHints) {
      if (hasForNode) return 'PreferSameNode';
      notes.push(`same-node hints ignored: no endpoint is hinted for node "${node.nodeName}"`);
    }
  }
  if (allZoneHints) {
    if (hasForZone) return 'PreferSameZone';
    notes.push(
      node.zone === ''
        ? 'same-zone hints ignored: the node has no topology.kubernetes.io/zone label'
        : `same-zone hints ignored: no endpoint is hinted for zone "${node.zone}"`,
    );
  } else if ([...endpoints].some((e) => e.ready && e.zoneHints.size > 0)) {
    notes.push('same-zone hints ignored: one or more ready endpoints has no zone hint');
  }
  return '';
}

function availableForTopology(ep: EndpointInfo, mode: TopologyMode, node: NodeTopology): boolean {
  if (mode === 'PreferSameNode') return ep.nodeHints.has(node.nodeName);
  if (mode === 'PreferSameZone') return ep.zoneHints.has(node.zone);
  return true;
}

/**
 * Splits a service port's endpoints into Cluster-policy and Local-policy sets for `node`
 * (topology.go CategorizeEndpoints): ready endpoints first, then serving+terminating ones as a
 * fallback decided separately for each side; topology hints apply to the Cluster side only.
 */
export function categorizeEndpoints(endpoints: readonly EndpointInfo[], port: ServicePortInfo, node: NodeTopology): Categorized {
  // One mutable result instead of a `done` closure and filter callbacks: this runs once per
  // service port in every full render, and closures there are measurable (bench/index.ts).
  const notes: string[] = [];
  const r: Mutable<Categorized> = {
    clusterEndpoints: [],
    localEndpoints: [],
    allReachable: [],
    hasAnyEndpoints: false,
    topologyMode: '',
    clusterUsesTerminating: false,
    localUsesTerminating: false,
    notes,
  };
  if (endpoints.length === 0) return r;

  if (port.usesClusterEndpoints) {
    r.topologyMode = topologyModeFromHints(endpoints, node, notes);
    r.clusterEndpoints = readyEndpoints(endpoints, r.topologyMode, node);
    if (r.clusterEndpoints.length === 0) {
      // No ready endpoint anywhere (topology never empties the set): serving+terminating fallback.
      r.clusterEndpoints = servingTerminatingEndpoints(endpoints, undefined);
      r.clusterUsesTerminating = r.clusterEndpoints.length > 0;
    }
    if (r.clusterEndpoints.length > 0) r.hasAnyEndpoints = true;
  }
  if (!port.usesLocalEndpoints) {
    r.allReachable = r.clusterEndpoints;
    return r;
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      r.hasAnyEndpoints = true;
      if (isLocalEndpoint(ep, node.nodeName)) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      r.hasAnyEndpoints = true;
      if (isLocalEndpoint(ep, node.nodeName)) hasLocalServingTerminating = true;
    }
  }
  if (hasLocalReady) {
    r.localEndpoints = readyEndpoints(endpoints, '', node, node.nodeName);
  } else if (hasLocalServingTerminating) {
    r.localUsesTerminating = true;
    r.localEndpoints = servingTerminatingEndpoints(endpoints, node.nodeName);
  }
  if (!port.usesClusterEndpoints) {
    r.allReachable = r.localEndpoints;
    return r;
  }
  if (r.topologyMode === '' && !r.localUsesTerminating) {
    r.allReachable = r.clusterEndpoints;
    return r;
  }
  // The union: clusterEndpoints may hold remote endpoints, localEndpoints terminating or
  // topologically-unavailable local ones. Upstream builds it through a map; we keep `ip:port` order.
  const union = new Map<string, EndpointInfo>();
  for (const ep of r.clusterEndpoints) union.set(ep.endpoint, ep);
  for (const ep of r.localEndpoints) union.set(ep.endpoint, ep);
  r.allReachable = endpoints.filter((ep) => union.has(ep.endpoint));
  return r;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Ready endpoints available to `mode`; only those on `localTo` when given. */
function readyEndpoints(
  endpoints: readonly EndpointInfo[],
  mode: TopologyMode,
  node: NodeTopology,
  localTo?: string,
): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  for (const ep of endpoints) {
    if (!ep.ready || !availableForTopology(ep, mode, node)) continue;
    if (localTo === undefined || isLocalEndpoint(ep, localTo)) out.push(ep);
  }
  return out;
}

/** Serving and terminating endpoints; only those on `localTo` when given. */
function servingTerminatingEndpoints(endpoints: readonly EndpointInfo[], localTo: string | undefined): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  for (const ep of endpoints) {
    if (ep.serving && ep.terminating && (localTo === undefined || isLocalEndpoint(ep, localTo))) out.push(ep);
  }
  return out;
}
