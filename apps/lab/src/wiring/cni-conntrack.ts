// The conntrack entries of UDP flows to Service addresses. kube-proxy's rules DNAT only a flow's
// first datagram; the kernel's conntrack entry sends the following ones to the same endpoint until
// the flow is idle for nf_conntrack_udp_timeout (30 s), or kube-proxy deletes the entry because its
// endpoint went away (pkg/proxy/conntrack/cleanup.go, CleanStaleEntries).

/** A DNAT target remembered for one flow. */
export interface TrackedEndpoint {
  ip: string;
  port: number;
}

/** Sweep expired flows once this many were recorded since the last sweep (bounds the table). */
const sweepEvery = 1024;

/** The UDP conntrack table of one node. */
export class UdpConntrack {
  private readonly flows = new Map<string, TrackedEndpoint & { lastSeen: number }>();
  private recorded = 0;

  /** @param timeoutSeconds the idle timeout of an unreplied/assured UDP flow (kernel default 30 s). */
  constructor(private readonly timeoutSeconds = 30) {}

  /** The endpoint of `flow` if it was seen within the timeout (and refreshes it, as each datagram does). */
  lookup(flow: string, now: number): TrackedEndpoint | undefined {
    const entry = this.flows.get(flow);
    if (!entry) return undefined;
    if (now - entry.lastSeen > this.timeoutSeconds) {
      this.flows.delete(flow);
      return undefined;
    }
    entry.lastSeen = now;
    return { ip: entry.ip, port: entry.port };
  }

  /** Records the DNAT of a new flow. */
  record(flow: string, endpoint: TrackedEndpoint, now: number): void {
    this.flows.set(flow, { ip: endpoint.ip, port: endpoint.port, lastSeen: now });
    if (++this.recorded >= sweepEvery) {
      this.recorded = 0;
      for (const [key, entry] of this.flows) if (now - entry.lastSeen > this.timeoutSeconds) this.flows.delete(key);
    }
  }

  /** Deletes a flow whose endpoint is gone (kube-proxy's stale-entry cleanup). */
  forget(flow: string): void {
    this.flows.delete(flow);
  }

  /** Number of tracked flows. */
  get size(): number {
    return this.flows.size;
  }
}
