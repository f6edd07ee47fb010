// The conntrack entries of UDP flows to Service addresses. kube-proxy's rules DNAT only a flow's
// first datagram; the kernel's conntrack entry sends the following ones to the same endpoint until
// the flow is idle for nf_conntrack_udp_timeout (30 s), or kube-proxy deletes the entry after a
// change made it stale (pkg/proxy/conntrack/cleanup.go; the rule is @kemu/kube-proxy's
// staleConntrackEntries).
import { type ConntrackFlow, type StaleConntrackEntry, staleEntryFor } from '@kemu/kube-proxy';

/** A DNAT target remembered for one flow. */
export interface TrackedEndpoint {
  ip: string;
  port: number;
}

/** Sweep expired flows once this many were recorded since the last sweep (bounds the table). */
const sweepEvery = 1024;

/** The UDP conntrack table of one node. */
export class UdpConntrack {
  private readonly flows = new Map<string, { entry: ConntrackFlow; lastSeen: number }>();
  private recorded = 0;

  /** @param timeoutSeconds the idle timeout of an unreplied/assured UDP flow (kernel default 30 s). */
  constructor(private readonly timeoutSeconds = 30) {}

  /** The endpoint of `flow` if it was seen within the timeout (and refreshes it, as each datagram does). */
  lookup(flow: string, now: number): TrackedEndpoint | undefined {
    const tracked = this.flows.get(flow);
    if (!tracked) return undefined;
    if (now - tracked.lastSeen > this.timeoutSeconds) {
      this.flows.delete(flow);
      return undefined;
    }
    tracked.lastSeen = now;
    return { ip: tracked.entry.replySrc, port: tracked.entry.replyPortSrc };
  }

  /** Records the DNAT of a new flow: the Service address it was sent to and the endpoint it went to. */
  record(flow: string, destination: TrackedEndpoint, endpoint: TrackedEndpoint, now: number): void {
    const entry: ConntrackFlow = {
      protocol: 'UDP',
      origDst: destination.ip,
      origPortDst: destination.port,
      replySrc: endpoint.ip,
      replyPortSrc: endpoint.port,
    };
    this.flows.set(flow, { entry, lastSeen: now });
    if (++this.recorded >= sweepEvery) {
      this.recorded = 0;
      for (const [key, tracked] of this.flows) if (now - tracked.lastSeen > this.timeoutSeconds) this.flows.delete(key);
    }
  }

  /** Deletes the flows `entries` match (kube-proxy's stale-entry cleanup); returns how many went. */
  clearStale(entries: readonly StaleConntrackEntry[]): number {
    let cleared = 0;
    for (const [key, tracked] of this.flows) {
      if (staleEntryFor(entries, tracked.entry) === undefined) continue;
      this.flows.delete(key);
      cleared++;
    }
    return cleared;
  }

  /** Number of tracked flows. */
  get size(): number {
    return this.flows.size;
  }
}
