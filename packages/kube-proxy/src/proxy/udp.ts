// A UDP flow table: one backend socket per client address, replies sent back to that client
// from the listener, flows forgotten after an idle timeout (conntrack's UDP timeout is 30 s) or
// when kube-proxy's cleanup deletes their entry (`forget`), so the next datagram picks again.
import dgram from 'node:dgram';
import type { ConntrackFlow } from '../conntrack/filter.js';

/** Where a new flow goes. */
export interface UdpFlowTarget {
  /** The endpoint's real address. */
  readonly host: string;
  readonly port: number;
  /** The endpoint's name (`ip:port`). */
  readonly endpoint: string;
  /** The flow's conntrack entry in the kernel's terms (what stale-entry cleanup matches). */
  readonly conntrack?: ConntrackFlow;
}

/** One client's flow, as {@link UdpFlowTable.forget} shows it. */
export interface UdpFlowInfo {
  readonly clientIP: string;
  readonly clientPort: number;
  readonly endpoint: string;
  readonly conntrack: ConntrackFlow | undefined;
}

/** One client's flow. */
interface Flow extends UdpFlowInfo {
  readonly socket: dgram.Socket;
  timer: NodeJS.Timeout;
}

/** Options of {@link UdpFlowTable}. */
export interface UdpFlowTableOptions {
  /** Idle time after which a flow is dropped (ms). Default 30 000. */
  readonly idleTimeoutMs?: number;
  /** Picks the backend for a new flow, or undefined to drop the datagram. */
  readonly pick: (clientIP: string, clientPort: number) => UdpFlowTarget | undefined;
}

/** Forwards datagrams arriving on `listener` to per-client backend flows. */
export class UdpFlowTable {
  private readonly flows = new Map<string, Flow>();
  private readonly idleTimeoutMs: number;

  constructor(
    private readonly listener: dgram.Socket,
    private readonly options: UdpFlowTableOptions,
  ) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    listener.on('message', (msg, rinfo) => this.forward(msg, rinfo));
  }

  /** Number of live flows. */
  get size(): number {
    return this.flows.size;
  }

  /** The endpoint a client's flow goes to, if it has one. */
  endpointOf(clientIP: string, clientPort: number): string | undefined {
    return this.flows.get(`${clientIP}:${clientPort}`)?.endpoint;
  }

  private forward(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      const target = this.options.pick(rinfo.address, rinfo.port);
      if (!target) return; // no endpoint: the kernel would answer ICMP unreachable; we drop.
      const socket = dgram.createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
      socket.on('message', (reply) => {
        this.touch(key);
        this.listener.send(reply, rinfo.port, rinfo.address);
      });
      // A refused datagram (ICMP port unreachable) ends the flow; one that was forgotten already
      // leaves its successor alone.
      socket.on('error', () => {
        if (this.flows.get(key)?.socket === socket) this.drop(key);
      });
      socket.connect(target.port, target.host);
      flow = {
        clientIP: rinfo.address,
        clientPort: rinfo.port,
        endpoint: target.endpoint,
        conntrack: target.conntrack,
        socket,
        timer: setTimeout(() => this.drop(key), this.idleTimeoutMs),
      };
      this.flows.set(key, flow);
      const pending = flow;
      socket.once('connect', () => pending.socket.send(msg));
      return;
    }
    this.touch(key);
    try {
      flow.socket.send(msg);
    } catch {
      // Not connected yet: queue behind the connect.
      const f = flow;
      f.socket.once('connect', () => f.socket.send(msg));
    }
  }

  private touch(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    clearTimeout(flow.timer);
    flow.timer = setTimeout(() => this.drop(key), this.idleTimeoutMs);
  }

  private drop(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    clearTimeout(flow.timer);
    this.flows.delete(key);
    flow.socket.close();
  }

  /**
   * Closes the flows `stale` picks and releases their backend sockets: the client's next datagram
   * starts a new flow (conntrack entry deletion). Returns how many were closed.
   */
  forget(stale: (flow: UdpFlowInfo) => boolean): number {
    let closed = 0;
    for (const [key, flow] of [...this.flows]) {
      if (!stale(flow)) continue;
      this.drop(key);
      closed++;
    }
    return closed;
  }

  /** Closes every flow (the listener is closed by its owner). */
  close(): void {
    for (const key of [...this.flows.keys()]) this.drop(key);
  }
}
