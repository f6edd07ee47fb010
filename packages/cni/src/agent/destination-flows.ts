// The destination agent's half of UDP conntrack: one UDP socket per flow (srcIP, srcPort, dstIP,
// dstPort) sends the datagrams to the pod's real socket, so what the pod sends back to that socket
// is known to be the reply of that flow (as conntrack matches a reply by its inverted tuple).
import dgram from 'node:dgram';
import net from 'node:net';
import type { VtepAddress } from './datagram-wire.js';
import type { FlowEnd } from './source-flows.js';
import { UdpFlowTimer, type UdpTimeouts } from './udp-flow-timer.js';

/** A flow towards a local pod: the sender and the pod's virtual address, both as seen in the overlay. */
export interface DestinationFlow {
  src: FlowEnd;
  dst: FlowEnd;
  /**
   * The VTEP the flow's frames came from, learnt from their outer source (RFC 7348 §4.1): where
   * replies go when `src` is no pod the directory knows (a host's masqueraded NodePort traffic).
   */
  underlay?: VtepAddress;
}

/** A flow with its socket, for inspection. */
export interface DestinationFlowInfo extends DestinationFlow {
  /** The real port of the flow's socket (the pod sees datagrams from it); 0 while binding. */
  localPort: number;
}

interface Entry {
  flow: DestinationFlow;
  real: { host: string; port: number };
  socket: dgram.Socket;
  timer: UdpFlowTimer;
}

const key = (f: DestinationFlow) => `${f.src.ip}|${f.src.port}|${f.dst.ip}|${f.dst.port}`;

/** Options of {@link DestinationFlows}. */
export interface DestinationFlowsOptions {
  /** The agent's address: flow sockets bind there (port 0) when the pod's socket is of its family. */
  address: string;
  timeouts: UdpTimeouts;
  /** A datagram the pod sent back on a flow. */
  onReply: (flow: DestinationFlow, payload: Uint8Array) => void;
}

/** The flow sockets of one agent, each closed after its idle timeout. */
export class DestinationFlows {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: DestinationFlowsOptions) {}

  /** Sends `payload` of `flow` to the pod's real socket from the flow's own socket (opened on first use). */
  send(flow: DestinationFlow, real: { host: string; port: number }, payload: Uint8Array): void {
    const k = key(flow);
    let entry = this.entries.get(k);
    // A pod re-registered with another real socket: the old flow socket no longer reaches it.
    if (entry && (entry.real.host !== real.host || entry.real.port !== real.port)) this.closeFlow(k);
    entry = this.entries.get(k);
    if (entry) {
      // The latest frame's outer source wins, as a learning FDB refreshes its entry.
      entry.flow = flow;
      entry.timer.seen('original');
    } else entry = this.open(k, flow, real);
    // dgram queues sends issued while the socket is still binding.
    entry.socket.send(payload, real.port, real.host);
  }

  /** Closes the flows towards a pod that left the node. */
  forgetPod(ip: string): void {
    for (const [k, e] of [...this.entries]) if (e.flow.dst.ip === ip) this.closeFlow(k);
  }

  /** The flows now open. */
  list(): DestinationFlowInfo[] {
    return [...this.entries.values()].map((e) => ({ ...e.flow, localPort: boundPort(e.socket) }));
  }

  /** Closes every flow socket. */
  async close(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((k) => this.closeFlow(k)));
  }

  private open(k: string, flow: DestinationFlow, real: { host: string; port: number }): Entry {
    const v6 = net.isIPv6(real.host);
    const ownFamily = net.isIPv6(this.options.address) === v6 && net.isIP(this.options.address) !== 0;
    const socket = dgram.createSocket(v6 ? 'udp6' : 'udp4');
    const entry: Entry = {
      flow,
      real,
      socket,
      timer: new UdpFlowTimer(this.options.timeouts, () => void this.closeFlow(k)),
    };
    this.entries.set(k, entry);
    socket.on('error', () => void this.closeFlow(k));
    socket.on('message', (msg, from) => {
      // Only the pod's socket answers on this flow (conntrack's reply tuple); anything else is not a reply.
      if (from.port !== real.port || (net.isIP(real.host) !== 0 && from.address !== real.host)) return;
      entry.timer.seen('reply');
      this.options.onReply(entry.flow, msg);
    });
    socket.bind(0, ownFamily ? this.options.address : v6 ? '::1' : '127.0.0.1');
    return entry;
  }

  private closeFlow(k: string): Promise<void> {
    const entry = this.entries.get(k);
    if (!entry) return Promise.resolve();
    this.entries.delete(k);
    entry.timer.stop();
    return new Promise<void>((resolve) => {
      try {
        entry.socket.close(() => resolve());
      } catch {
        resolve(); // already closed after an error
      }
    });
  }
}

function boundPort(socket: dgram.Socket): number {
  try {
    return socket.address().port;
  } catch {
    return 0;
  }
}
