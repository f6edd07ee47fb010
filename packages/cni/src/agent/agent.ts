// The node agent: owns a node's pods, their proxies, the HTTP/2 tunnel endpoint and the VXLAN
// socket; enforces NetworkPolicy at egress (here, for our pods) and ingress (for arriving traffic).
import dgram, { type Socket as UdpSocket } from 'node:dgram';
import type { Http2Server } from 'node:http2';
import net, { type Server } from 'node:net';
import { parseMac, vtepMac } from '../overlay/vtep.js';
import { AgentCounters } from './counters.js';
import { type DatagramContext, type DatagramOutcome, receiveVxlan, sendDatagram, sendDatagramFromHost } from './datagram-path.js';
import { returnDatagram } from './datagram-reply.js';
import { type DestinationFlowInfo, DestinationFlows } from './destination-flows.js';
import { MemoryDirectory } from './directory.js';
import { createHttpProxy } from './http-proxy.js';
import { dialByName, relayByName } from './pod-names.js';
import { asPolicyPod } from './policy-pod.js';
import { createSocksProxy, type DatagramReply } from './socks.js';
import { type SourceFlow, SourceFlows } from './source-flows.js';
import {
  createTunnelServer,
  type TunnelDecision,
  TunnelPool,
  type TunnelRequest,
  trackConnections,
  tunnelSessions,
} from './tunnel.js';
import type { AgentEndpoint, ConnectOutcome, NodeAgentOptions, PodRegistration } from './types.js';
import { defaultUdpTimeouts } from './udp-flow-timer.js';

/** What a registered pod gets: its proxies, as the environment its processes should see. */
export interface PodAttachment {
  httpProxy: string;
  socksProxy: string;
  /** `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `KEMU_POD_IP`. */
  env: Record<string, string>;
}

interface LocalPod {
  reg: PodRegistration;
  servers: Server[];
  cut: (() => void)[];
}

/** A node agent. Start with {@link startNodeAgent}. */
export class NodeAgent {
  /** Bytes, connections and drops, per node and per pod pair. */
  readonly counters = new AgentCounters();
  private readonly pods = new Map<string, LocalPod>();
  private readonly pool = new TunnelPool();
  private tunnel!: Http2Server;
  private udp!: UdpSocket;
  private readonly mac: Uint8Array;
  private tunnelPort = 0;
  private vxlanPort = 0;
  private readonly sourceFlows: SourceFlows;
  private readonly destinationFlows: DestinationFlows;

  constructor(readonly options: NodeAgentOptions) {
    this.mac = parseMac(vtepMac(options.address));
    const timeouts = { ...defaultUdpTimeouts, ...options.udpTimeouts };
    this.sourceFlows = new SourceFlows(timeouts);
    this.destinationFlows = new DestinationFlows({
      address: options.address,
      timeouts,
      onReply: (flow, payload) => returnDatagram(this.datagramContext(), flow, payload),
    });
  }

  /** @internal Binds the tunnel and VXLAN sockets. */
  async listen(): Promise<void> {
    const { address } = this.options;
    this.tunnel = createTunnelServer(
      (req) => this.acceptTunnel(req),
      (req, n) => {
        this.counters.node.bytesSent += n;
        this.counters.pair(req.srcIP, req.dstIP).bytesReceived += n;
      },
    );
    await new Promise<void>((resolve, reject) => {
      this.tunnel.once('error', reject);
      this.tunnel.listen(this.options.tunnelPort ?? 0, address, () => resolve());
    });
    this.tunnelPort = (this.tunnel.address() as net.AddressInfo).port;
    this.udp = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    this.udp.on('message', (msg, outer) => receiveVxlan(this.datagramContext(), msg, outer));
    await new Promise<void>((resolve, reject) => {
      this.udp.once('error', reject);
      this.udp.bind(this.options.vxlanPort ?? 0, address, () => resolve());
    });
    this.vxlanPort = this.udp.address().port;
    if (this.options.directory instanceof MemoryDirectory) this.options.directory.addAgent(this.endpoint);
  }

  /** How other agents reach this one. */
  get endpoint(): AgentEndpoint {
    return {
      node: this.options.node,
      address: this.options.address,
      tunnelPort: this.tunnelPort,
      vxlanPort: this.vxlanPort,
      vtepMac: vtepMac(this.options.address),
    };
  }

  /** Registers a pod and starts its HTTP and SOCKS5 proxies on the agent's address. */
  async addPod(reg: PodRegistration): Promise<PodAttachment> {
    // A name the pod gives its proxies is resolved first, as its resolv.conf would (pod-names.ts).
    const dial = dialByName(this, reg, (host, port, srcPort) => this.connect(reg.ip, srcPort, host, port));
    const relay = relayByName(this, reg, (host, port, srcPort, data, reply) =>
      this.sendDatagram(reg.ip, srcPort, host, port, data, reply),
    );
    const servers = [createHttpProxy(dial), createSocksProxy(dial, { address: this.options.address, relay })];
    const cut = servers.map((s) => trackConnections(s));
    for (const s of servers) await new Promise<void>((resolve) => s.listen(0, this.options.address, () => resolve()));
    this.pods.set(reg.ip, { reg, servers, cut });
    if (this.options.directory instanceof MemoryDirectory) this.options.directory.addPod(this.options.node, reg);
    const host = this.options.address.includes(':') ? `[${this.options.address}]` : this.options.address;
    const [h, s] = servers.map((x) => (x.address() as net.AddressInfo).port);
    const httpProxy = `http://${host}:${h}`;
    const socksProxy = `socks5://${host}:${s}`;
    return {
      httpProxy,
      socksProxy,
      // socks5h: clients (curl, requests, undici's SOCKS agents) hand names to the proxy, which
      // resolves them against the cluster DNS as the pod's resolv.conf would (pod-names.ts).
      env: { HTTP_PROXY: httpProxy, HTTPS_PROXY: httpProxy, ALL_PROXY: `socks5h://${host}:${s}`, KEMU_POD_IP: reg.ip },
    };
  }

  /** Unregisters a pod and closes its proxies. */
  async removePod(ip: string): Promise<void> {
    const pod = this.pods.get(ip);
    if (!pod) return;
    this.pods.delete(ip);
    if (this.options.directory instanceof MemoryDirectory) this.options.directory.removePod(ip);
    this.sourceFlows.forgetPod(ip);
    this.destinationFlows.forgetPod(ip);
    for (const c of pod.cut) c();
    await Promise.all(pod.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /**
   * Opens a TCP stream from local pod `srcIP` to `host:port`: ClusterIP hook, egress policy here,
   * then the pod's listener directly (same node) or a CONNECT stream to the destination's agent.
   */
  async connect(srcIP: string, srcPort: number, host: string, port: number): Promise<ConnectOutcome> {
    const src = this.pods.get(srcIP);
    if (!src) return { ok: false, status: 502, reason: `${srcIP} is not a pod of node ${this.options.node}` };
    const svc = this.options.resolveService?.(
      { ip: host, port, protocol: 'TCP' },
      { ip: srcIP, port: srcPort, node: this.options.node },
    );
    if (svc && 'reject' in svc) {
      // kube-proxy's filter REJECT/DROP for a Service with no endpoint for this client: refused here.
      this.counters.drop('service-rejected', srcIP, host);
      return { ok: false, status: 503, reason: svc.reject };
    }
    const dstIP = svc?.ip ?? host;
    const dstPort = svc?.port ?? port;
    // The DNAT kube-proxy did, reported so a client (`kemu curl`/`kemu trace`) sees the endpoint.
    const via = svc ? [`service ${host}:${port} -> ${dstIP}:${dstPort}`] : [];
    const dst = this.options.directory.podByIP(dstIP);
    const pair = this.counters.pair(srcIP, dstIP);
    const engine = this.options.policy();
    const verdict = engine.verdict(asPolicyPod(src.reg), dst ? asPolicyPod(dst) : dstIP, { port: dstPort, protocol: 'TCP' });
    if (!verdict.egress.allowed) {
      this.counters.drop('policy-egress', srcIP, dstIP);
      return { ok: false, status: 403, reason: verdict.egress.reason, hops: via };
    }
    if (!dst) {
      this.counters.drop('no-route', srcIP, dstIP);
      return { ok: false, status: 502, reason: `no pod has address ${dstIP}; kemu never dials virtual addresses`, hops: via };
    }
    pair.connections++;
    this.counters.node.connections++;
    return this.deliver({ dstIP, dstPort, srcIP, srcPort, srcNode: this.options.node }, dst.node, via);
  }

  /**
   * Opens a TCP stream from this node's host network (not a pod: the ingress or a NodePort the
   * node serves) to pod `dstIP:dstPort`, through the overlay like pod traffic. No egress policy
   * applies (it selects pods); the destination judges ingress policy on `source.ip` as an address.
   */
  async connectFromHost(source: { ip: string; port: number }, dstIP: string, dstPort: number): Promise<ConnectOutcome> {
    const dst = this.options.directory.podByIP(dstIP);
    if (!dst) {
      this.counters.drop('no-route', source.ip, dstIP);
      return { ok: false, status: 502, reason: `no pod has address ${dstIP}; kemu never dials virtual addresses` };
    }
    this.counters.pair(source.ip, dstIP).connections++;
    this.counters.node.connections++;
    return this.deliver({ dstIP, dstPort, srcIP: source.ip, srcPort: source.port, srcNode: this.options.node }, dst.node, []);
  }

  /** Hands a stream to its destination pod: over the bridge on this node, or a CONNECT stream to its agent. */
  private async deliver(req: TunnelRequest, dstNode: string, via: string[]): Promise<ConnectOutcome> {
    const { srcIP, dstIP } = req;
    if (dstNode === this.options.node) {
      // Same node: never crosses a tunnel; ingress is judged here.
      const decision = this.acceptTunnel(req);
      if (!decision.ok)
        return { ok: false, status: decision.status as 403 | 502, reason: decision.reason, hops: [...via, 'bridge'] };
      try {
        const socket = await decision.connect();
        return { ok: true, stream: this.countOut(socket, srcIP, dstIP), hops: [...via, 'bridge'] };
      } catch (err) {
        return { ok: false, status: 502, reason: `pod not reachable: ${(err as Error).message}`, hops: [...via, 'bridge'] };
      }
    }
    const peer = this.options.directory.agent(dstNode);
    if (!peer) {
      this.counters.drop('no-agent', srcIP, dstIP);
      return { ok: false, status: 502, reason: `node ${dstNode} has no agent` };
    }
    const tunnel = `tunnel ${this.options.node} -> ${dstNode}`;
    const r = await this.pool.open(peer, req);
    if (!r.ok) {
      if (r.status === 403) this.counters.drop('policy-ingress', srcIP, dstIP);
      return { ok: false, status: r.status === 403 ? 403 : 502, reason: r.reason, hops: [...via, tunnel] };
    }
    // A peer that disappears mid-stream resets the pod's connection (splice) and counts here.
    let counted = false;
    const lost = () => {
      if (!counted) this.counters.drop('tunnel-reset', srcIP, dstIP);
      counted = true;
    };
    r.stream.once('aborted', lost);
    r.stream.once('error', lost);
    return { ok: true, stream: this.countOut(r.stream, srcIP, dstIP), hops: [...via, tunnel] };
  }

  private countOut<T extends NodeJS.ReadableStream>(stream: T, src: string, dst: string): T {
    stream.on('data', (chunk: Buffer) => {
      this.counters.node.bytesReceived += chunk.length;
      this.counters.pair(src, dst).bytesSent += chunk.length;
    });
    return stream;
  }

  /** Ingress: a stream for one of our pods arrives (through the tunnel or from a local pod). */
  private acceptTunnel(req: TunnelRequest): TunnelDecision {
    const dst = this.pods.get(req.dstIP);
    if (!dst) return { ok: false, status: 502, reason: `no pod ${req.dstIP} on node ${this.options.node}` };
    const src = this.options.directory.podByIP(req.srcIP);
    const verdict = this.options
      .policy()
      .verdict(src ? asPolicyPod(src) : req.srcIP, asPolicyPod(dst.reg), { port: req.dstPort, protocol: 'TCP' });
    if (!verdict.ingress.allowed) {
      this.counters.drop('policy-ingress', req.srcIP, req.dstIP);
      return { ok: false, status: 403, reason: verdict.ingress.reason };
    }
    const real = dst.reg.tcp?.[req.dstPort];
    if (!real) {
      this.counters.drop('port-unreachable', req.srcIP, req.dstIP);
      return { ok: false, status: 502, reason: `pod ${dst.reg.namespace}/${dst.reg.name} does not listen on TCP ${req.dstPort}` };
    }
    return {
      ok: true,
      connect: () =>
        new Promise((resolve, reject) => {
          const socket = net.connect({ host: real.host, port: real.port, allowHalfOpen: true });
          socket.once('connect', () => {
            socket.off('error', reject);
            resolve(socket);
          });
          socket.once('error', reject);
        }),
    };
  }

  /**
   * Sends a UDP datagram from a local pod: egress policy, then a real VXLAN frame (RFC 7348) to
   * the destination agent's VXLAN port, or straight to the pod when it is on this node. With
   * `reply`, answers of the flow come back through it (the pod's SOCKS UDP relay does this).
   */
  sendDatagram(
    srcIP: string,
    srcPort: number,
    host: string,
    port: number,
    payload: Uint8Array,
    reply?: DatagramReply,
  ): DatagramOutcome {
    return sendDatagram(this.datagramContext(), srcIP, srcPort, host, port, payload, reply);
  }

  /**
   * Sends a UDP datagram from this node's host network (a NodePort it serves, masqueraded to
   * `source`) to pod `dstIP:dstPort` through the overlay, as {@link connectFromHost} does for
   * TCP: no egress policy; the destination judges ingress on `source.ip` as an address. With
   * `reply`, the pod's answers come back through it (the flow expires as conntrack's does).
   */
  sendDatagramFromHost(
    source: { ip: string; port: number },
    dstIP: string,
    dstPort: number,
    payload: Uint8Array,
    reply?: DatagramReply,
  ): DatagramOutcome {
    return sendDatagramFromHost(this.datagramContext(), source, dstIP, dstPort, payload, reply);
  }

  /** The UDP flows this agent tracks: those its pods opened, and those towards its pods (with their sockets). */
  udpFlows(): { opened: SourceFlow[]; towardPods: DestinationFlowInfo[] } {
    return { opened: this.sourceFlows.list(), towardPods: this.destinationFlows.list() };
  }

  private datagramContext(): DatagramContext {
    return {
      options: this.options,
      counters: this.counters,
      udp: this.udp,
      mac: this.mac,
      localPod: (ip) => this.pods.get(ip)?.reg,
      sourceFlows: this.sourceFlows,
      destinationFlows: this.destinationFlows,
    };
  }

  /** Stops every server and session. */
  async close(): Promise<void> {
    for (const ip of [...this.pods.keys()]) await this.removePod(ip);
    this.pool.close();
    if (this.options.directory instanceof MemoryDirectory) this.options.directory.removeAgent(this.options.node);
    const closed = new Promise<void>((resolve) => this.tunnel.close(() => resolve()));
    for (const s of tunnelSessions(this.tunnel)) s.destroy();
    await closed;
    this.sourceFlows.close();
    await this.destinationFlows.close();
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
  }
}

/** Starts a node agent on its loopback address. */
export async function startNodeAgent(options: NodeAgentOptions): Promise<NodeAgent> {
  const agent = new NodeAgent(options);
  await agent.listen();
  return agent;
}
