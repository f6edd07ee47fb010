// Which endpoint one new connection gets, and why: the path a packet takes through the rules
// kube-proxy writes (iptables/nftables), or an IPVS scheduler, or Maglev.
import { tryParseCIDR, tryParseIP } from '@kemu/core';
import { NoEndpointsError, ServiceNotFoundError } from '../errors.js';
import type { Proxier } from '../proxier.js';
import { categorizeEndpoints } from '../table/categorize.js';
import type { EndpointInfo, ServicePortInfo } from '../table/types.js';
import type { AffinityTable } from './affinity.js';
import { chooseEndpoint } from './choose.js';
import type { IPVSScheduler, IPVSSchedulerState } from './ipvs-schedulers.js';
import type { RandomSource } from './random.js';
import { type SelectionReason, type SelectionReasonCode, selectionReasons } from './reasons.js';

/** How the destination was addressed. */
export type DestinationKind = 'clusterIP' | 'externalIP' | 'loadBalancer' | 'nodePort';

/** Which data plane picks. */
export type SelectionMode = 'iptables' | 'nftables' | 'ipvs' | 'maglev';

/** One new connection to route. */
export interface ConnectionRequest {
  /** `ns/name:port` (port name, or number), optionally `/PROTOCOL`; `ns/name` for an unnamed port. */
  readonly servicePort: string;
  readonly via?: DestinationKind;
  /** Which external/LB IP was dialled (default the first). */
  readonly destinationIP?: string;
  readonly clientIP: string;
  readonly clientPort?: number;
  /** The client is the node itself (addrtype src-type LOCAL). */
  readonly clientIsNode?: boolean;
  readonly mode?: SelectionMode;
  readonly scheduler?: IPVSScheduler;
  /** Random source; default a PRNG seeded from the flow (deterministic). */
  readonly random?: RandomSource;
  /** Seconds, for affinity timeouts (the model has no clock). */
  readonly now?: number;
  /** Affinity memory; with it, ClientIP affinity is honoured and recorded. */
  readonly affinity?: AffinityTable;
  /** IPVS scheduler memory and live connection counts per `ip:port`. */
  readonly ipvsState?: IPVSSchedulerState;
  readonly connections?: Readonly<Record<string, { active: number; inactive: number }>>;
  readonly maglevTableSize?: number;
  /** Endpoints (`ip:port`) that already failed for this connection. */
  readonly exclude?: readonly string[];
}

/** The answer: verdict, endpoint, chain path and reasons. */
export interface Selection {
  readonly servicePort: string;
  readonly verdict: 'DNAT' | 'REJECT' | 'DROP';
  readonly endpoint: EndpointInfo | undefined;
  /** Chains traversed, e.g. KUBE-SERVICES → KUBE-SVC-… → KUBE-SEP-…. */
  readonly chains: readonly string[];
  readonly masquerade: boolean;
  /** Endpoints the final choice was made among, in rule order. */
  readonly candidates: readonly string[];
  readonly reasons: readonly SelectionReason[];
}

/** Finds a service port by `ns/name:port[/PROTO]`; throws {@link ServiceNotFoundError}. */
export function findServicePort(proxier: Proxier, ref: string): ServicePortInfo {
  const direct = proxier.table.servicePort(ref);
  if (direct) return direct;
  const [spec, protocol] =
    ref.split('/').length === 3 ? [ref.slice(0, ref.lastIndexOf('/')), ref.slice(ref.lastIndexOf('/') + 1)] : [ref, undefined];
  const colon = spec.indexOf(':');
  const service = colon < 0 ? spec : spec.slice(0, colon);
  const port = colon < 0 ? '' : spec.slice(colon + 1);
  const ports = proxier.table.portsOf(service).filter((p) => protocol === undefined || p.protocol === protocol.toUpperCase());
  const match =
    ports.find((p) => p.portName === port) ??
    ports.find((p) => port !== '' && String(p.port) === port) ??
    (port === '' && ports.length === 1 ? ports[0] : undefined);
  if (!match) throw new ServiceNotFoundError(ref);
  return match;
}

function inCIDR(cidr: string | undefined, ip: string): boolean {
  if (cidr === undefined) return false;
  const parsed = tryParseCIDR(cidr);
  const address = tryParseIP(ip);
  return typeof parsed !== 'string' && address !== undefined && parsed.contains(address);
}

/**
 * Routes one new connection through this node's kube-proxy rules. Throws
 * {@link ServiceNotFoundError} for an unknown port; a REJECT/DROP is an answer, not an error.
 * @example
 * route(proxier, { servicePort: 'default/web:http', clientIP: '10.244.1.5' }).endpoint?.endpoint
 */
export function route(proxier: Proxier, request: ConnectionRequest): Selection {
  const port = findServicePort(proxier, request.servicePort);
  const config = proxier.config;
  const via = request.via ?? 'clusterIP';
  const reasons: SelectionReason[] = [];
  const chains: string[] = [];
  const say = (code: SelectionReasonCode, detail: string = selectionReasons[code]) => reasons.push({ code, detail });
  const c = categorizeEndpoints(proxier.table.endpoints(port.key), port, config.topology);
  const local = config.clusterCIDR?.toString();
  const fromPod = inCIDR(local, request.clientIP);
  let masquerade = false;
  const answer = (
    verdict: Selection['verdict'],
    endpoint?: EndpointInfo,
    candidates: readonly EndpointInfo[] = [],
  ): Selection => ({
    servicePort: port.nameString,
    verdict,
    endpoint,
    chains,
    masquerade,
    candidates: candidates.map((e) => e.endpoint),
    reasons,
  });
  const stop = (verdict: 'REJECT' | 'DROP', code: SelectionReasonCode, detail?: string): Selection => {
    say(code, detail);
    return answer(verdict);
  };
  const hasInternal = c.hasAnyEndpoints && (!port.internalPolicyLocal || c.localEndpoints.length > 0);
  const hasExternal = c.hasAnyEndpoints && (!port.externalPolicyLocal || c.localEndpoints.length > 0);

  let pool: readonly EndpointInfo[];
  let policyChain: string;
  if (via === 'clusterIP') {
    say('cluster-ip', `${port.clusterIP}:${port.port}/${port.protocol} is the ClusterIP of ${port.nameString}`);
    chains.push('KUBE-SERVICES');
    if (!c.hasAnyEndpoints) return stop('REJECT', 'no-endpoints');
    if (!hasInternal) return stop('DROP', 'no-local-endpoints');
    if (config.masqueradeAll) {
      masquerade = true;
      say('masquerade-all');
    } else if (local !== undefined && !fromPod) {
      masquerade = true;
      say('masquerade-off-cluster', `${request.clientIP} is outside ${local}: KUBE-MARK-MASQ`);
    }
    if (port.internalPolicyLocal) {
      say('internal-policy-local');
      pool = c.localEndpoints;
      policyChain = port.chains.local;
    } else {
      say('internal-policy-cluster');
      pool = c.clusterEndpoints;
      policyChain = port.chains.cluster;
    }
  } else {
    const kind: SelectionReasonCode =
      via === 'externalIP' ? 'external-ip' : via === 'loadBalancer' ? 'load-balancer-ip' : 'node-port';
    say(kind);
    chains.push(via === 'nodePort' ? 'KUBE-NODEPORTS' : 'KUBE-SERVICES');
    if (
      (via === 'nodePort' && port.nodePort === 0) ||
      (via === 'externalIP' && port.externalIPs.length === 0) ||
      (via === 'loadBalancer' && port.loadBalancerVIPs.length === 0)
    ) {
      throw new ServiceNotFoundError(`${request.servicePort} (${via})`);
    }
    if (!c.hasAnyEndpoints) return stop('REJECT', 'no-endpoints');
    if (via === 'loadBalancer' && port.loadBalancerSourceRanges.length > 0) {
      chains.push(port.chains.firewall);
      // With the node IP inside a range, KUBE-FW also accepts every VIP as source (node → VIP SNAT).
      const nodeInRange =
        config.nodeIP !== undefined && port.loadBalancerSourceRanges.some((r) => inCIDR(r, config.nodeIP as string));
      const allowed =
        port.loadBalancerSourceRanges.some((r) => inCIDR(r, request.clientIP)) ||
        (nodeInRange && port.loadBalancerVIPs.includes(request.clientIP));
      if (!allowed)
        return stop('DROP', 'source-range-denied', `${request.clientIP} is not in ${port.loadBalancerSourceRanges.join(', ')}`);
      say('source-range-allowed');
    }
    chains.push(port.chains.external);
    if (!port.externalPolicyLocal) {
      masquerade = true;
      say('external-policy-cluster');
      pool = c.clusterEndpoints;
      policyChain = port.chains.cluster;
    } else if (local !== undefined && fromPod) {
      say('pod-short-circuit', `${request.clientIP} is inside ${local}: jump to ${port.chains.cluster}`);
      pool = c.clusterEndpoints;
      policyChain = port.chains.cluster;
    } else if (request.clientIsNode) {
      masquerade = true;
      say('host-short-circuit');
      pool = c.clusterEndpoints;
      policyChain = port.chains.cluster;
    } else {
      if (!hasExternal) return stop('DROP', 'no-local-endpoints');
      say('external-policy-local');
      pool = c.localEndpoints;
      policyChain = port.chains.local;
    }
  }
  if (pool === c.clusterEndpoints) {
    if (c.topologyMode === 'PreferSameZone') say('topology-same-zone', `zone "${config.topology.zone}"`);
    if (c.topologyMode === 'PreferSameNode') say('topology-same-node', `node "${config.nodeName}"`);
    if (c.clusterUsesTerminating) say('terminating-fallback');
  } else if (c.localUsesTerminating) say('terminating-fallback');
  for (const note of c.notes) say('topology-ignored', note);
  chains.push(policyChain);
  if (request.exclude?.length) {
    const before = pool.length;
    pool = pool.filter((e) => !request.exclude?.includes(e.endpoint));
    say('excluded-retry', `${before - pool.length} failed endpoint(s) left out`);
  }
  if (pool.length === 0) return stop('REJECT', 'no-endpoints', 'every endpoint was excluded or none is usable');

  const pick = chooseEndpoint(port, pool, request, say);
  chains.push((request.mode ?? 'iptables') === 'nftables' ? `endpoint-${pick.nftBase}` : pick.chain);
  if (pick.ip === request.clientIP) {
    masquerade = true;
    say('masquerade-hairpin');
  }
  return answer('DNAT', pick, pool);
}

/** Throws {@link NoEndpointsError} unless the selection is a DNAT; for callers that need an endpoint. */
export function requireEndpoint(selection: Selection): EndpointInfo {
  if (selection.verdict === 'DNAT' && selection.endpoint) return selection.endpoint;
  const last = selection.reasons[selection.reasons.length - 1];
  throw new NoEndpointsError(
    selection.servicePort,
    selection.verdict === 'DROP' ? 'DROP' : 'REJECT',
    last?.detail ?? 'no endpoint',
  );
}
