// Pod egress to a Service address, as each node's kube-proxy rewrites it (DNAT) before the CNI
// sees the packet: the endpoint is chosen by @kemu/kube-proxy's selection for the SOURCE pod's
// node (traffic policies, topology, terminating fallback, ClientIP affinity, the mode's picker).
import type { ServiceClient, ServiceResolver } from '@kemu/cni/agent';
import type { EndpointSlice, Node, Service } from '@kemu/core';
import {
  AffinityTable,
  type IPVSScheduler,
  type IPVSSchedulerState,
  Proxier,
  type RandomSource,
  route,
  type Selection,
  type SelectionMode,
  type ServicePortState,
  ServiceTable,
  sliceServiceKey,
  staleConntrackEntries,
} from '@kemu/kube-proxy';
import type { InformerFactory } from '../lab/informer.js';
import { UdpConntrack } from './cni-conntrack.js';

/** The node label kube-proxy reads its zone from (CategorizeEndpoints' zone hints match it). */
const zoneLabel = 'topology.kubernetes.io/zone';

/** Options of {@link ClusterIPSelection}. */
export interface ClusterIPSelectionOptions {
  /** The proxy mode whose picker chooses (default iptables, kube-proxy's default on Linux). */
  mode?: SelectionMode;
  /** The IPVS scheduler in mode ipvs (default rr). */
  scheduler?: IPVSScheduler;
  /** `--cluster-cidr` (detect-local): pod sources short-circuit externalTrafficPolicy Local. Default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** Clock in seconds, for ClientIP affinity timeouts (default the wall clock). */
  now?: () => number;
  /** Random source of the iptables/nftables pickers (default Math.random, as the kernel's). */
  random?: RandomSource;
}

/** The destination a pod dialled. */
export type ServiceDestination = Parameters<ServiceResolver>[0];

/** What one node's kube-proxy holds: its config (name, zone) and its kernel state. */
interface NodeState {
  zone: string;
  /** route() reads only `table` and `config`; this proxier's own rules are never rendered. */
  proxier: Proxier;
  /** The `recent` lists of this node's SEP chains (ClientIP affinity is per node, as in the kernel). */
  affinity: AffinityTable;
  /** IPVS scheduler state per service port. */
  ipvs: Map<string, IPVSSchedulerState>;
  /** UDP flows already DNATed on this node. */
  udp: UdpConntrack;
}

/**
 * Every node's ClusterIP selection, from the lab's Service, EndpointSlice and Node informers. Each
 * node agent gets the {@link ServiceResolver} of its own node; the choice is @kemu/kube-proxy's
 * `route` with that node's name and `topology.kubernetes.io/zone`, so a NetworkPolicy is judged on
 * the endpoint kube-proxy would DNAT to. It keeps state only for the nodes asked for, so a process
 * that runs some of the agents builds its own over its own informers.
 * @example
 * const selection = new ClusterIPSelection(informers);
 * startNodeAgent({ node: 'kemu-worker', resolveService: selection.resolverFor('kemu-worker'), ... });
 */
export class ClusterIPSelection {
  /** One service table for every node: the Services and EndpointSlices are the same everywhere (cluster DNS reads it too). */
  readonly table = new ServiceTable();
  private readonly nodes = new Map<string, NodeState>();
  private readonly resolvers = new Map<string, ServiceResolver>();
  /** `ip/port/PROTOCOL` → service port key and how it is addressed; rebuilt after a change. */
  private addresses: Map<string, { key: string; via: 'clusterIP' | 'externalIP' | 'loadBalancer' }> | undefined;
  /** Every active ClusterIP → its Service and ports (nftables' `cluster-ips` set), for unknown-port rejects. */
  private clusterIPs: Map<string, { service: string; ports: string[] }> | undefined;

  constructor(
    private readonly informers: InformerFactory,
    private readonly options: ClusterIPSelectionOptions = {},
  ) {
    informers.for<Service>('Service').on((type, service) => {
      const key = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
      const previous = this.table.portStates(key);
      if (type === 'DELETED') {
        // A deleted Service's SEP chains go, and with them their `recent` lists.
        for (const port of this.table.portsOf(key)) for (const node of this.nodes.values()) node.affinity.forget(port.key);
        this.table.deleteService(service.metadata.namespace ?? 'default', service.metadata.name);
      } else this.table.upsertService(service);
      this.addresses = undefined;
      this.clusterIPs = undefined;
      this.clearStaleFlows(key, previous);
    });
    informers.for<EndpointSlice>('EndpointSlice').on((type, slice) => {
      const key = sliceServiceKey(slice);
      const previous = key === undefined ? [] : this.table.portStates(key);
      if (type === 'DELETED') this.table.deleteSlice(slice);
      else this.table.upsertSlice(slice);
      if (key !== undefined) this.clearStaleFlows(key, previous);
    });
    informers.for<Node>('Node');
  }

  /** The ClusterIP hook of `nodeName`'s agent: kube-proxy's choice on that node for each new connection. */
  resolverFor(nodeName: string): ServiceResolver {
    let resolver = this.resolvers.get(nodeName);
    if (!resolver) {
      resolver = (dst, src) => {
        // The agent asks per datagram; only a UDP flow's first one meets the rules (conntrack).
        const flow = dst.protocol === 'UDP' && src ? `${src.ip}:${src.port}>${dst.ip}:${dst.port}` : undefined;
        const now = this.now();
        const tracked = flow ? this.node(nodeName).udp.lookup(flow, now) : undefined;
        if (tracked) return tracked;
        const selection = this.select(nodeName, dst, src);
        if (!selection) {
          const unknownPort = this.unknownPortOf(dst);
          return unknownPort ? { reject: unknownPort } : undefined;
        }
        if (selection.verdict === 'DNAT' && selection.endpoint) {
          const target = { ip: selection.endpoint.ip, port: selection.endpoint.port };
          if (flow) this.node(nodeName).udp.record(flow, dst, target, now);
          return target;
        }
        return { reject: rejection(selection, nodeName) };
      };
      this.resolvers.set(nodeName, resolver);
    }
    return resolver;
  }

  /**
   * The full selection (verdict, endpoint, chains, reasons) for one new connection from a pod on
   * `nodeName`; undefined when `dst` is no Service address of this family.
   */
  select(nodeName: string, dst: ServiceDestination, src?: ServiceClient): Selection | undefined {
    const target = this.lookup(dst);
    if (!target) return undefined;
    const node = this.node(nodeName);
    let ipvsState = node.ipvs.get(target.key);
    if (!ipvsState) {
      ipvsState = { last: -1, currentWeight: 0 };
      node.ipvs.set(target.key, ipvsState);
    }
    return route(node.proxier, {
      servicePort: target.key,
      via: target.via,
      destinationIP: dst.ip,
      clientIP: src?.ip ?? '',
      clientPort: src?.port,
      mode: this.options.mode,
      scheduler: this.options.scheduler,
      affinity: node.affinity,
      now: this.now(),
      ipvsState,
      random: this.options.random ?? Math.random,
    });
  }

  /** Seconds on the configured clock. */
  private now(): number {
    return this.options.now ? this.options.now() : Date.now() / 1000;
  }

  /**
   * kube-proxy's conntrack cleanup after a change to Service `key` (pkg/proxy/conntrack/cleanup.go):
   * every node forgets the UDP flows whose endpoint was removed or stopped serving, so their next
   * datagram meets the rules again.
   */
  private clearStaleFlows(key: string, previous: readonly ServicePortState[]): void {
    const entries = staleConntrackEntries(previous, this.table.portStates(key));
    if (entries.length === 0) return;
    for (const node of this.nodes.values()) node.udp.clearStale(entries);
  }

  /**
   * Why a connection to a ClusterIP on a port its Service does not serve reaches no pod, as each
   * mode makes it fail: nftables rejects it (the `cluster-ips` set, pkg/proxy/nftables/proxier.go),
   * IPVS binds the ClusterIP on kube-ipvs0 so the node refuses it, iptables has no rule for it and
   * it goes unanswered. kemu fails it at once, naming the ports the Service does serve.
   */
  private unknownPortOf(dst: ServiceDestination): string | undefined {
    this.lookup(dst);
    const known = this.clusterIPs?.get(dst.ip);
    if (!known) return undefined;
    const mode = this.options.mode ?? 'iptables';
    const how =
      mode === 'nftables'
        ? 'kube-proxy (nftables) rejects unknown ports of a ClusterIP'
        : mode === 'ipvs' || mode === 'maglev'
          ? 'the node refuses it: kube-proxy (ipvs) binds the ClusterIP on kube-ipvs0'
          : 'no kube-proxy (iptables) rule matches it: in a cluster it goes unanswered';
    return `ClusterIP ${dst.ip} of Service ${known.service} has no port ${dst.port}/${dst.protocol} (it serves ${known.ports.join(', ')}); ${how}`;
  }

  /** Finds the service port behind a destination (ClusterIP first, then external and LB IPs, as KUBE-SERVICES matches). */
  private lookup(dst: ServiceDestination) {
    if (!this.addresses || !this.clusterIPs) {
      this.addresses = new Map();
      this.clusterIPs = new Map();
      for (const p of this.table.servicePorts()) {
        if (p.clusterIP) {
          let known = this.clusterIPs.get(p.clusterIP);
          if (!known) {
            known = { service: `${p.namespace}/${p.name}`, ports: [] };
            this.clusterIPs.set(p.clusterIP, known);
          }
          known.ports.push(`${p.port}/${p.protocol}`);
        }
        const add = (ip: string, via: 'clusterIP' | 'externalIP' | 'loadBalancer') => {
          const k = `${ip}/${p.port}/${p.protocol}`;
          if (!this.addresses?.has(k)) this.addresses?.set(k, { key: p.key, via });
        };
        if (p.clusterIP) add(p.clusterIP, 'clusterIP');
        for (const ip of p.externalIPs) add(ip, 'externalIP');
        for (const ip of p.loadBalancerVIPs) add(ip, 'loadBalancer');
      }
    }
    return this.addresses.get(`${dst.ip}/${dst.port}/${dst.protocol}`);
  }

  /** The kube-proxy state of one node, rebuilt when its zone label changes (the affinity lists survive). */
  private node(nodeName: string): NodeState {
    const labels = this.informers.for<Node>('Node').get(undefined, nodeName)?.metadata.labels;
    const zone = labels?.[zoneLabel] ?? '';
    let state = this.nodes.get(nodeName);
    if (!state || state.zone !== zone) {
      const proxier = new Proxier(this.table, { nodeName, zone, clusterCIDR: this.options.clusterCIDR ?? '10.244.0.0/16' });
      state = {
        zone,
        proxier,
        affinity: state?.affinity ?? new AffinityTable(),
        ipvs: state?.ipvs ?? new Map(),
        udp: state?.udp ?? new UdpConntrack(),
      };
      this.nodes.set(nodeName, state);
    }
    return state;
  }
}

/**
 * The reason a pod sees for a REJECT/DROP, in the words of kube-proxy's filter-rule comments
 * (pkg/proxy/iptables/proxier.go: `"%s has no endpoints"`, `"%s has no local endpoints"`).
 */
function rejection(selection: Selection, nodeName: string): string {
  const last = selection.reasons[selection.reasons.length - 1];
  const what = last?.code === 'no-local-endpoints' ? 'has no local endpoints' : 'has no endpoints';
  return `service ${selection.servicePort} ${what} (kube-proxy on node ${nodeName}: ${last?.detail ?? selection.verdict})`;
}
