// The conntrack entries a sync makes stale (pkg/proxy/conntrack/cleanup.go, CleanStaleEntries).
// Only a flow's first packet meets the nat rules; conntrack sends the rest where that one went. So
// when a UDP Service port's endpoints change, kube-proxy deletes the entries that would keep a
// client on an endpoint that no longer serves, or on the verdict cached while there was none.
//
// The detection is the event-based one (pkg/proxy/endpointschangetracker.go
// detectStaleConntrackEntries, up to 1.31): an endpoint that was serving and is now gone or not
// serving (DeletedUDPEndpoints); a port that went from no serving endpoint to some
// (NewlyActiveUDPServices); a deleted port (DeletedUDPClusterIPs). Filters are scoped to the
// Service port and the endpoint's port as the reconciler that replaced it scopes them
// (filterForIPPortNAT, filterForPortNAT), and a deleted port clears all its addresses as the
// reconciler does since kubernetes#141371. For flows DNATed to a then-serving endpoint, both
// designs delete the same flows. Only UDP: older releases cleared SCTP entries too
// (pkg/util/conntrack IsClearConntrackNeeded), cleanup.go does not (cleanup_test.go keeps them);
// TCP never was.
import type { EndpointInfo, ServicePortInfo, ServicePortState } from '../table/types.js';
import { type ConntrackFilter, type ConntrackFlow, conntrackFilterMatches } from './filter.js';

/** Why entries are stale, each with the upstream result it comes from (closed union, one place). */
export const staleConntrackReasons = {
  'endpoint-removed': 'a serving endpoint left the Service port: its flows are deleted (DeletedUDPEndpoints)',
  'endpoint-not-serving':
    'an endpoint is still listed but no longer serving: its flows are deleted (DeletedUDPEndpoints, serving compared)',
  'service-newly-active':
    'the Service port went from no serving endpoint to some: entries cached meanwhile are deleted (NewlyActiveUDPServices)',
  'service-deleted': 'the Service port is gone: every flow to its addresses is deleted (DeletedUDPClusterIPs, #141371)',
} as const;

/** One of the codes in {@link staleConntrackReasons}. */
export type StaleConntrackReason = keyof typeof staleConntrackReasons;

/** The address of a Service port a filter covers, as KUBE-SERVICES / KUBE-NODEPORTS match it. */
export type ConntrackFrontend = 'clusterIP' | 'externalIP' | 'loadBalancer' | 'nodePort';

/** One filter to run, with why. */
export interface StaleConntrackEntry {
  readonly reason: StaleConntrackReason;
  /** `ns/name:port` of the Service port. */
  readonly servicePort: string;
  readonly frontend: ConntrackFrontend;
  /** `ip:port` of the endpoint whose flows go (absent: every flow to the address). */
  readonly endpoint?: string;
  readonly filter: ConntrackFilter;
}

/**
 * The conntrack entries to delete after one Service's change, from its ports before and after.
 * @example
 * const before = table.portStates('default/dns');
 * table.upsertSlice(slice);
 * staleConntrackEntries(before, table.portStates('default/dns'));
 * // [{ reason: 'endpoint-removed', frontend: 'clusterIP', endpoint: '10.244.1.2:5353',
 * //    filter: { protocol: 'UDP', origDst: '10.96.0.10', origPortDst: 53, replySrc: '10.244.1.2', replyPortSrc: 5353 } }, …]
 */
export function staleConntrackEntries(
  previous: readonly ServicePortState[],
  next: readonly ServicePortState[],
): StaleConntrackEntry[] {
  const out: StaleConntrackEntry[] = [];
  const after = new Map(next.map((state) => [state.port.key, state]));
  const before = new Map(previous.map((state) => [state.port.key, state]));
  for (const old of previous) {
    if (old.port.protocol !== 'UDP') continue;
    const now = after.get(old.port.key);
    if (!now) {
      addressesOf(old.port, 'service-deleted', undefined, out);
      continue;
    }
    for (const endpoint of old.endpoints) {
      // No traffic was sent to an endpoint that was not serving, so it has no entries.
      if (!endpoint.serving) continue;
      const current = now.endpoints.find((e) => e.endpoint === endpoint.endpoint);
      if (current?.serving) continue;
      addressesOf(now.port, current ? 'endpoint-not-serving' : 'endpoint-removed', endpoint, out);
    }
  }
  for (const now of next) {
    if (now.port.protocol !== 'UDP' || !now.endpoints.some((e) => e.serving)) continue;
    if (before.get(now.port.key)?.endpoints.some((e) => e.serving)) continue;
    addressesOf(now.port, 'service-newly-active', undefined, out);
  }
  return out;
}

/** The entry among `entries` that deletes `flow` (why it is stale), or undefined when it stays. */
export function staleEntryFor(entries: readonly StaleConntrackEntry[], flow: ConntrackFlow): StaleConntrackEntry | undefined {
  return entries.find((entry) => conntrackFilterMatches(entry.filter, flow));
}

/** One entry per address of `port` (ClusterIP, externalIPs, LB VIPs, then `*:nodePort`). */
function addressesOf(
  port: ServicePortInfo,
  reason: StaleConntrackReason,
  endpoint: EndpointInfo | undefined,
  out: StaleConntrackEntry[],
): void {
  const target = endpoint ? { replySrc: endpoint.ip, replyPortSrc: endpoint.port } : {};
  const named = endpoint ? { endpoint: endpoint.endpoint } : {};
  const add = (frontend: ConntrackFrontend, destination: { origDst?: string; origPortDst: number }) =>
    out.push({
      reason,
      servicePort: port.nameString,
      frontend,
      ...named,
      filter: { protocol: port.protocol, ...destination, ...target },
    });
  if (port.clusterIP !== '') add('clusterIP', { origDst: port.clusterIP, origPortDst: port.port });
  for (const ip of port.externalIPs) add('externalIP', { origDst: ip, origPortDst: port.port });
  for (const ip of port.loadBalancerVIPs) add('loadBalancer', { origDst: ip, origPortDst: port.port });
  if (port.nodePort !== 0) add('nodePort', { origPortDst: port.nodePort });
}
