// The data plane of one node: NodePort listeners on 127.0.0.1:<nodePort>, LoadBalancer
// listeners on configured host ports, and `connect()` for pod egress to ClusterIPs (the CNI
// agent's hook). Every new connection asks the model (`route`) which endpoint to use; the
// caller's resolver turns that virtual ip:port into a real loopback address.
import dgram from 'node:dgram';
import type net from 'node:net';
import type { Protocol } from '@kemu/core';
import { type StaleConntrackEntry, staleEntryFor } from '../conntrack/cleanup.js';
import type { ConntrackFlow } from '../conntrack/filter.js';
import { BackendUnreachableError } from '../errors.js';
import type { Proxier, ProxyChange, SyncResult } from '../proxier.js';
import { AffinityTable } from '../selection/affinity.js';
import type { IPVSScheduler } from '../selection/ipvs-schedulers.js';
import { type DestinationKind, requireEndpoint, route, type Selection, type SelectionMode } from '../selection/route.js';
import type { EndpointInfo } from '../table/types.js';
import { type Listener, type ListenerInfo, listenHealthCheck, listenTcp, listenUdp } from './listeners.js';
import { dial, type RealAddress, splice } from './tcp.js';

/** Maps a virtual endpoint to where it really listens; undefined means "not reachable here". */
export type EndpointResolver = (endpoint: {
  readonly ip: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly servicePort: string;
  readonly podName: string | undefined;
  readonly nodeName: string;
}) => RealAddress | undefined;

/** Who is connecting. */
export interface ClientInfo {
  /** The client's (virtual) IP, e.g. the pod IP. */
  readonly ip: string;
  readonly port?: number;
  /** The client is the node itself (host network). */
  readonly isNode?: boolean;
}

/** Options of {@link NodeProxy}. */
export interface NodeProxyOptions {
  readonly proxier: Proxier;
  readonly resolve: EndpointResolver;
  /** Loopback address listeners bind to. Default 127.0.0.1. */
  readonly host?: string;
  /** Serve health-check node ports of LoadBalancer + ETP Local Services (default true). */
  readonly healthCheckPorts?: boolean;
  /** Open NodePort listeners (default true). */
  readonly nodePorts?: boolean;
  /** LoadBalancer host ports: service port (`ns/name:port`) → port on `host`. */
  readonly loadBalancerPorts?: Readonly<Record<string, number>>;
  readonly mode?: SelectionMode;
  readonly scheduler?: IPVSScheduler;
  /** UDP flow idle timeout, ms (default 30 000, conntrack's UDP timeout). */
  readonly udpIdleTimeoutMs?: number;
  /** Per-endpoint connect timeout, ms (default 2000). */
  readonly connectTimeoutMs?: number;
  /** Clock in seconds for affinity (default wall clock). */
  readonly now?: () => number;
}

/**
 * The userspace L4 proxy of one node.
 * @example
 * const proxy = await NodeProxy.start({ proxier, resolve: (ep) => ({ host: '127.0.0.1', port: realPortOf(ep) }) });
 * const socket = await proxy.connect('10.96.0.10', 80, { ip: '10.244.1.5' });
 */
export class NodeProxy {
  private readonly listenersByKey = new Map<string, Listener>();
  private readonly affinity = new AffinityTable();
  private readonly ipvsState = new Map<string, { last: number; currentWeight: number }>();
  private readonly active = new Map<string, number>();
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  private constructor(private readonly options: NodeProxyOptions) {}

  /** Starts the proxy and opens its listeners. */
  static async start(options: NodeProxyOptions): Promise<NodeProxy> {
    const proxy = new NodeProxy(options);
    await proxy.reconcile();
    return proxy;
  }

  /** The open listeners. */
  listeners(): ListenerInfo[] {
    return [...this.listenersByKey.values()].map((l) => l.info);
  }

  /** Live connections per endpoint `ip:port` (what IPVS lc/wlc would count). */
  activeConnections(): Record<string, number> {
    return Object.fromEntries(this.active);
  }

  /**
   * Applies a Service/EndpointSlice change; listeners follow. TCP connections are left alone; UDP
   * flows whose conntrack entry the change made stale are closed, so the client's next datagram
   * picks a serving endpoint (pkg/proxy/conntrack/cleanup.go).
   */
  async apply(change: ProxyChange): Promise<SyncResult> {
    const result = this.options.proxier.apply(change);
    // The selection already reads the new table (kube-proxy clears entries once its rules are in
    // place); clearing before the listeners' await leaves no window for a datagram to slip through.
    this.forgetStaleFlows(result.staleConntrack);
    await this.reconcile();
    return result;
  }

  /**
   * Pod egress to a ClusterIP (or any Service IP) — the CNI agent's hook. Resolves with a socket
   * connected to the chosen endpoint's real address; tries the next endpoint when one refuses.
   */
  async connect(serviceIP: string, port: number, client: ClientInfo, protocol: Protocol = 'TCP'): Promise<net.Socket> {
    const { servicePort, via } = this.findByIP(serviceIP, port, protocol);
    return this.dialService(servicePort, via, client);
  }

  /**
   * Pod egress UDP to a Service IP: a datagram socket connected to the chosen endpoint's real
   * address (one flow; replies arrive on it).
   */
  async connectUdp(serviceIP: string, port: number, client: ClientInfo): Promise<dgram.Socket> {
    const { servicePort, via } = this.findByIP(serviceIP, port, 'UDP');
    const endpoint = requireEndpoint(this.select(servicePort, via, client));
    const address = this.options.resolve({
      ip: endpoint.ip,
      port: endpoint.port,
      protocol: 'UDP',
      servicePort,
      podName: endpoint.podName,
      nodeName: endpoint.nodeName,
    });
    if (!address || !('host' in address)) throw new BackendUnreachableError(servicePort, [endpoint.endpoint]);
    const socket = dgram.createSocket(address.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(address.port, address.host, () => resolve());
    });
    return socket;
  }

  /** Chooses an endpoint the way the kernel rules would, without connecting. */
  select(servicePort: string, via: DestinationKind, client: ClientInfo, exclude: readonly string[] = []): Selection {
    const key = `${servicePort}|${via}`;
    let ipvsState = this.ipvsState.get(key);
    if (!ipvsState) {
      ipvsState = { last: -1, currentWeight: 0 };
      this.ipvsState.set(key, ipvsState);
    }
    // Live connection counts matter only to the IPVS least-connection schedulers.
    const connections: Record<string, { active: number; inactive: number }> = {};
    if (this.options.mode === 'ipvs') for (const [ep, n] of this.active) connections[ep] = { active: n, inactive: 0 };
    return route(this.options.proxier, {
      servicePort,
      via,
      clientIP: client.ip,
      clientPort: client.port,
      clientIsNode: client.isNode,
      mode: this.options.mode,
      scheduler: this.options.scheduler,
      affinity: this.affinity,
      now: (this.options.now ?? (() => Date.now() / 1000))(),
      ipvsState,
      connections,
      exclude,
      random: Math.random,
    });
  }

  /** Closes listeners and every proxied connection. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.listenersByKey.values()].map((l) => l.close()));
    this.listenersByKey.clear();
    for (const s of this.sockets) s.destroy();
  }

  private findByIP(ip: string, port: number, protocol: Protocol): { servicePort: string; via: DestinationKind } {
    for (const p of this.options.proxier.table.servicePorts()) {
      if (p.protocol !== protocol || p.port !== port) continue;
      if (p.clusterIP === ip) return { servicePort: p.key, via: 'clusterIP' };
      if (p.externalIPs.includes(ip)) return { servicePort: p.key, via: 'externalIP' };
      if (p.loadBalancerVIPs.includes(ip)) return { servicePort: p.key, via: 'loadBalancer' };
    }
    // Unknown service IP: the same error the model gives for an unknown Service port.
    return { servicePort: `${ip}:${port}/${protocol}`, via: 'clusterIP' };
  }

  private async dialService(servicePort: string, via: DestinationKind, client: ClientInfo): Promise<net.Socket> {
    const tried: string[] = [];
    let lastError: unknown;
    for (;;) {
      const selection = this.select(servicePort, via, client, tried);
      if (selection.verdict !== 'DNAT') {
        if (tried.length === 0) requireEndpoint(selection);
        throw new BackendUnreachableError(selection.servicePort, tried, lastError);
      }
      const endpoint = selection.endpoint as EndpointInfo;
      const port =
        this.options.proxier.table.servicePort(servicePort) ??
        this.options.proxier.table.servicePorts().find((p) => p.nameString === selection.servicePort);
      const address = this.options.resolve({
        ip: endpoint.ip,
        port: endpoint.port,
        protocol: port?.protocol ?? 'TCP',
        servicePort: selection.servicePort,
        podName: endpoint.podName,
        nodeName: endpoint.nodeName,
      });
      tried.push(endpoint.endpoint);
      if (!address) continue;
      try {
        const socket = await dial(address, this.options.connectTimeoutMs ?? 2000);
        this.track(socket, endpoint.endpoint);
        return socket;
      } catch (err) {
        lastError = err;
      }
    }
  }

  private track(socket: net.Socket, endpoint: string): void {
    this.sockets.add(socket);
    this.active.set(endpoint, (this.active.get(endpoint) ?? 0) + 1);
    socket.once('close', () => {
      this.sockets.delete(socket);
      const n = (this.active.get(endpoint) ?? 1) - 1;
      if (n <= 0) this.active.delete(endpoint);
      else this.active.set(endpoint, n);
    });
  }

  /** Opens listeners that should exist and closes those that should not. */
  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const host = this.options.host ?? '127.0.0.1';
    const wanted = new Map<string, ListenerInfo>();
    for (const p of this.options.proxier.table.servicePorts()) {
      if (p.protocol === 'SCTP') continue; // Node has no SCTP sockets.
      if ((this.options.nodePorts ?? true) && p.nodePort !== 0) {
        wanted.set(`${p.protocol}/${p.nodePort}`, {
          kind: 'nodePort',
          servicePort: p.key,
          protocol: p.protocol,
          host,
          port: p.nodePort,
        });
      }
    }
    if (this.options.healthCheckPorts ?? true) {
      for (const hc of this.options.proxier.healthChecks()) {
        const port = this.options.proxier.table.servicePorts().find((p) => p.nameString === hc.servicePort);
        wanted.set(`TCP/${hc.healthCheckNodePort}`, {
          kind: 'healthCheck',
          servicePort: port?.key ?? hc.servicePort,
          protocol: 'TCP',
          host,
          port: hc.healthCheckNodePort,
        });
      }
    }
    for (const [ref, hostPort] of Object.entries(this.options.loadBalancerPorts ?? {})) {
      const p = this.options.proxier.table.servicePorts().find((x) => x.key === ref || x.nameString === ref);
      if (!p || p.protocol === 'SCTP') continue;
      wanted.set(`${p.protocol}/${hostPort}`, {
        kind: 'loadBalancer',
        servicePort: p.key,
        protocol: p.protocol,
        host,
        port: hostPort,
      });
    }
    for (const [key, listener] of this.listenersByKey) {
      const want = wanted.get(key);
      if (!want || want.servicePort !== listener.info.servicePort) {
        this.listenersByKey.delete(key);
        await listener.close();
      }
    }
    for (const [key, info] of wanted) {
      if (this.listenersByKey.has(key)) continue;
      this.listenersByKey.set(
        key,
        info.kind === 'healthCheck'
          ? await listenHealthCheck(info, () => this.health(info.servicePort))
          : info.protocol === 'UDP'
            ? await listenUdp(info, this.options.udpIdleTimeoutMs, (ip, port) => this.pickUdp(info, ip, port))
            : await listenTcp(info, (client) => this.acceptTcp(info, client)),
      );
    }
  }

  /** Closes the UDP flows of every listener that `entries` delete. */
  private forgetStaleFlows(entries: readonly StaleConntrackEntry[]): void {
    if (entries.length === 0) return;
    for (const listener of this.listenersByKey.values()) {
      listener.flows?.forget((flow) => flow.conntrack !== undefined && staleEntryFor(entries, flow.conntrack) !== undefined);
    }
  }

  /** A TCP client arrived on a listener: dial an endpoint, then splice. */
  private acceptTcp(info: ListenerInfo, client: net.Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    const who: ClientInfo = { ip: client.remoteAddress ?? info.host, port: client.remotePort, isNode: true };
    this.dialService(info.servicePort, this.via(info), who).then(
      (backend) => {
        if (client.destroyed) return backend.destroy();
        splice(client, backend);
        client.resume();
      },
      () => client.resetAndDestroy(),
    );
  }

  /** A new UDP flow on a listener: the real address of the chosen endpoint, or undefined to drop. */
  private pickUdp(info: ListenerInfo, clientIP: string, clientPort: number) {
    const selection = this.select(info.servicePort, this.via(info), { ip: clientIP, port: clientPort, isNode: true });
    if (selection.verdict !== 'DNAT' || !selection.endpoint) return undefined;
    const ep = selection.endpoint;
    const address = this.options.resolve({
      ip: ep.ip,
      port: ep.port,
      protocol: 'UDP',
      servicePort: selection.servicePort,
      podName: ep.podName,
      nodeName: ep.nodeName,
    });
    if (!address || !('host' in address)) return undefined;
    const conntrack: ConntrackFlow = { protocol: 'UDP', ...this.frontendOf(info), replySrc: ep.ip, replyPortSrc: ep.port };
    return { host: address.host, port: address.port, endpoint: ep.endpoint, conntrack };
  }

  /**
   * Where a listener's clients sent to, as a conntrack entry records it: the node address and
   * nodePort, or the LoadBalancer address and Service port (the ClusterIP for a host port whose
   * Service has no LoadBalancer address yet).
   */
  private frontendOf(info: ListenerInfo): { origDst: string; origPortDst: number } {
    if (info.kind === 'nodePort') return { origDst: info.host, origPortDst: info.port };
    const port = this.options.proxier.table.servicePort(info.servicePort);
    return { origDst: port?.loadBalancerVIPs[0] ?? port?.clusterIP ?? info.host, origPortDst: port?.port ?? info.port };
  }

  /** Live health of a service port for its health-check server. */
  private health(servicePort: string) {
    const port = this.options.proxier.table.servicePort(servicePort);
    if (!port) return undefined;
    const hc = this.options.proxier.healthChecks().find((h) => h.servicePort === port.nameString);
    return { namespace: port.namespace, name: port.name, localEndpoints: hc?.localEndpoints ?? 0 };
  }

  private via(info: ListenerInfo): DestinationKind {
    return info.kind === 'nodePort' ? 'nodePort' : 'loadBalancer';
  }
}
