// The idle timeout of a UDP flow, as Linux conntrack keeps it (net/netfilter/nf_conntrack_proto_udp.c,
// Documentation/networking/nf_conntrack-sysctl.rst): nf_conntrack_udp_timeout (30 s) while the flow
// is unreplied, nf_conntrack_udp_timeout_stream (120 s) once it has seen a reply and is still active
// two seconds after its first packet (the `stream_ts` check); every packet refreshes the timeout.

/** Idle timeouts of UDP flows, in milliseconds. */
export interface UdpTimeouts {
  /** nf_conntrack_udp_timeout: a flow without (or with a recent first) reply; default 30 000. */
  unrepliedMs: number;
  /** nf_conntrack_udp_timeout_stream: a flow that has become a stream; default 120 000. */
  streamMs: number;
}

/** The kernel defaults: 30 s unreplied, 120 s stream. */
export const defaultUdpTimeouts: UdpTimeouts = { unrepliedMs: 30_000, streamMs: 120_000 };

/** nf_conntrack_proto_udp.c: `stream_ts = jiffies + 2 * HZ` when the flow is created. */
const streamAfterMs = 2_000;

/**
 * The timeout a packet sets on a flow: unreplied until a reply was seen, then the stream timeout
 * for packets more than two seconds after the flow began (udp_packet: "Still active after two
 * seconds? Extend timeout.").
 */
export function udpIdleTimeout(t: UdpTimeouts, replied: boolean, ageMs: number): number {
  return replied && ageMs > streamAfterMs ? t.streamMs : t.unrepliedMs;
}

/** Expires a flow after it has been idle for its timeout; one timer, re-armed only when it fires. */
export class UdpFlowTimer {
  private readonly createdAt = Date.now();
  private replied = false;
  private expiresAt: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeouts: UdpTimeouts,
    private readonly onExpire: () => void,
  ) {
    this.expiresAt = this.createdAt + timeouts.unrepliedMs;
    this.arm(timeouts.unrepliedMs);
  }

  /** Refreshes the flow for a packet in the original direction or in the reply direction. */
  seen(direction: 'original' | 'reply'): void {
    if (direction === 'reply') this.replied = true;
    const now = Date.now();
    this.expiresAt = now + udpIdleTimeout(this.timeouts, this.replied, now - this.createdAt);
  }

  /** Stops the timer (the flow is closed by its owner). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    // unref: an idle flow never keeps the process alive.
    this.timer = setTimeout(() => this.fire(), ms).unref();
  }

  private fire(): void {
    const left = this.expiresAt - Date.now();
    if (left > 0) {
      this.arm(left);
      return;
    }
    this.timer = undefined;
    this.onExpire();
  }
}
