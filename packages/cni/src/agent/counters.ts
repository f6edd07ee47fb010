// Traffic counters per node and per pod pair, for metrics (bytes, connections, drops by reason).

/** One set of counters. */
export interface TrafficCounters {
  bytesSent: number;
  bytesReceived: number;
  connections: number;
  datagrams: number;
  drops: Record<string, number>;
}

function fresh(): TrafficCounters {
  return { bytesSent: 0, bytesReceived: 0, connections: 0, datagrams: 0, drops: {} };
}

/** Counters of one node agent. */
export class AgentCounters {
  /** Totals of the node. */
  readonly node: TrafficCounters = fresh();
  /** Per pod pair, keyed `srcIP->dstIP`. */
  readonly pairs = new Map<string, TrafficCounters>();

  /** The counters of a pod pair. */
  pair(src: string, dst: string): TrafficCounters {
    const key = `${src}->${dst}`;
    let c = this.pairs.get(key);
    if (!c) {
      c = fresh();
      this.pairs.set(key, c);
    }
    return c;
  }

  /** Counts a drop by reason on the node and, when known, the pair (the reasons are listed in the package README). */
  drop(reason: string, src?: string, dst?: string): void {
    this.node.drops[reason] = (this.node.drops[reason] ?? 0) + 1;
    if (src !== undefined && dst !== undefined) {
      const p = this.pair(src, dst);
      p.drops[reason] = (p.drops[reason] ?? 0) + 1;
    }
  }

  /** A JSON snapshot. */
  snapshot(): { node: TrafficCounters; pairs: Record<string, TrafficCounters> } {
    return {
      node: structuredClone(this.node),
      pairs: Object.fromEntries([...this.pairs].map(([k, v]) => [k, structuredClone(v)])),
    };
  }
}
