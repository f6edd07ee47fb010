// The source agent's half of UDP conntrack: the flows its pods opened through their SOCKS5 UDP
// ASSOCIATE relay, so that a datagram coming back from the destination reaches the relay client
// (RFC 1928 §7), reported from the address the pod sent to: the ClusterIP:port when kube-proxy's
// DNAT rewrote the destination (conntrack's reverse NAT of the reply), else the pod's own.
import type { DatagramReply } from './socks.js';
import { UdpFlowTimer, type UdpTimeouts } from './udp-flow-timer.js';

/** An IP and a port. */
export interface FlowEnd {
  ip: string;
  port: number;
}

/** A flow a local pod opened, as the reply path needs it. */
export interface SourceFlow {
  pod: FlowEnd;
  /** The destination after DNAT (the pod that answers). */
  peer: FlowEnd;
  /** The destination the pod sent to (a ClusterIP:port before DNAT, else `peer`). */
  reported: FlowEnd;
  reply: DatagramReply;
}

const key = (pod: FlowEnd, peer: FlowEnd) => `${pod.ip}|${pod.port}|${peer.ip}|${peer.port}`;

/** The UDP flows this agent's pods opened, expiring when idle. */
export class SourceFlows {
  private readonly flows = new Map<string, { flow: SourceFlow; timer: UdpFlowTimer }>();

  constructor(private readonly timeouts: UdpTimeouts) {}

  /** Records a datagram of `flow` in the original direction (a new flow, or a refresh). */
  opened(flow: SourceFlow): void {
    const k = key(flow.pod, flow.peer);
    const entry = this.flows.get(k);
    if (entry) {
      // The latest association and NAT record win (a new association may reuse the client port).
      entry.flow = flow;
      entry.timer.seen('original');
      return;
    }
    this.flows.set(k, { flow, timer: new UdpFlowTimer(this.timeouts, () => this.flows.delete(k)) });
  }

  /** The flow a datagram from `from` to local pod `to` answers (refreshed), if any. */
  replyTo(from: FlowEnd, to: FlowEnd): SourceFlow | undefined {
    const entry = this.flows.get(key(to, from));
    if (!entry) return undefined;
    entry.timer.seen('reply');
    return entry.flow;
  }

  /** Forgets one flow (its association has ended). */
  forget(flow: SourceFlow): void {
    const k = key(flow.pod, flow.peer);
    this.flows.get(k)?.timer.stop();
    this.flows.delete(k);
  }

  /** Forgets the flows of a pod that left the node. */
  forgetPod(ip: string): void {
    for (const { flow } of [...this.flows.values()]) if (flow.pod.ip === ip) this.forget(flow);
  }

  /** The flows now tracked. */
  list(): SourceFlow[] {
    return [...this.flows.values()].map((e) => e.flow);
  }

  /** Forgets everything (the agent stops). */
  close(): void {
    for (const e of this.flows.values()) e.timer.stop();
    this.flows.clear();
  }
}
