// ClientIP session affinity state, as the `recent` module keeps it (iptables: one list per SEP
// chain, `--rcheck --seconds T --reap` then `--set`) or IPVS persistence. The caller passes the
// time in: the model has no clock.

/** Remembered client → endpoint choices, per service port. */
export class AffinityTable {
  private readonly entries = new Map<string, { endpoint: string; lastSeen: number }>();

  /** The endpoint `clientIP` was last sent to for `servicePort`, if seen within `timeoutSeconds` of `now`. */
  lookup(servicePort: string, clientIP: string, now: number, timeoutSeconds: number): string | undefined {
    const entry = this.entries.get(`${servicePort}|${clientIP}`);
    if (!entry) return undefined;
    // recent --seconds T: matches when last seen at most T seconds ago; --reap drops older entries.
    if (now - entry.lastSeen > timeoutSeconds) {
      this.entries.delete(`${servicePort}|${clientIP}`);
      return undefined;
    }
    return entry.endpoint;
  }

  /** Records (or refreshes) the choice: the `--set` in the SEP chain. */
  record(servicePort: string, clientIP: string, endpoint: string, now: number): void {
    this.entries.set(`${servicePort}|${clientIP}`, { endpoint, lastSeen: now });
  }

  /** Forgets everything about a service port (its Service was deleted). */
  forget(servicePort: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${servicePort}|`)) this.entries.delete(key);
  }

  /** Number of remembered clients. */
  get size(): number {
    return this.entries.size;
  }
}
