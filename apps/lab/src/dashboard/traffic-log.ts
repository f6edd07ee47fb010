/** One hop of a request through the lab, as the data plane records it. */
export interface TrafficHop {
  /** `ingress`, `service`, `endpoint`, `tunnel`, `policy`, `pod`… */
  kind: string;
  /** What was decided at this hop, in a few words (`rule shop/shop host shop.test path /api`). */
  detail: string;
  /** The node the hop happened on, when it has one. */
  node?: string;
}

/** A request (or connection) the data plane carried, with the hops it took. */
export interface TrafficRecord {
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  /** `http`, `tcp` or `udp`. */
  protocol: string;
  /** `GET shop.test/api/items`, or `10.244.1.2 → 10.96.0.10:53`. */
  summary: string;
  /** HTTP status, or 0 for a stream that completed, or -1 for a failure. */
  status: number;
  durationMs: number;
  bytes: number;
  /** The Service the request was for, when there is one (`shop/web`). */
  service?: string;
  /** The pod that answered (`shop/web-7f9c-abcde`). */
  pod?: string;
  hops: TrafficHop[];
}

/** Per-Service and per-pod traffic over a sliding window: what `kemu top` and the dashboard show. */
export interface TrafficRates {
  key: string;
  requestsPerSecond: number;
  errorsPerSecond: number;
  bytesPerSecond: number;
}

/**
 * The last N requests the lab carried, and listeners for new ones. The data plane appends; the
 * dashboard, `kemu top` and the testing API read. Bounded, so a long-running lab does not grow.
 */
export class TrafficLog {
  private readonly records: TrafficRecord[] = [];
  private readonly listeners = new Set<(record: TrafficRecord) => void>();
  private sequence = 0;

  constructor(private readonly capacity = 5_000) {}

  /** Records one request and tells every listener. */
  add(record: Omit<TrafficRecord, 'id'> & { id?: string }): TrafficRecord {
    const full: TrafficRecord = { ...record, id: record.id ?? `r${++this.sequence}` };
    this.records.push(full);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** The most recent records, newest last. */
  recent(limit = 200): TrafficRecord[] {
    return this.records.slice(-limit);
  }

  /**
   * The records added after the one with id `id` (every recent record when `id` is empty or has left
   * the log), at most `limit`: what a client that read a snapshot missed before it subscribed.
   */
  after(id: string, limit = 200): TrafficRecord[] {
    const index = id ? this.records.findLastIndex((r) => r.id === id) : -1;
    return this.records.slice(index + 1).slice(-limit);
  }

  /** One record by id. */
  get(id: string): TrafficRecord | undefined {
    return this.records.find((r) => r.id === id);
  }

  /** Calls `listener` for every new record until the returned function is called. */
  subscribe(listener: (record: TrafficRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rates per Service and per pod over the last `windowMs` before `now`. */
  rates(now: number, windowMs = 10_000): TrafficRates[] {
    const from = now - windowMs;
    const totals = new Map<string, { requests: number; errors: number; bytes: number }>();
    for (let i = this.records.length - 1; i >= 0 && this.records[i]!.time >= from; i--) {
      const record = this.records[i]!;
      for (const key of [record.service && `service ${record.service}`, record.pod && `pod ${record.pod}`]) {
        if (!key) continue;
        const total = totals.get(key) ?? { requests: 0, errors: 0, bytes: 0 };
        total.requests++;
        if (record.status < 0 || record.status >= 500) total.errors++;
        total.bytes += record.bytes;
        totals.set(key, total);
      }
    }
    const seconds = windowMs / 1000;
    return [...totals]
      .map(([key, t]) => ({
        key,
        requestsPerSecond: t.requests / seconds,
        errorsPerSecond: t.errors / seconds,
        bytesPerSecond: t.bytes / seconds,
      }))
      .sort((a, b) => b.requestsPerSecond - a.requestsPerSecond || a.key.localeCompare(b.key));
  }
}
