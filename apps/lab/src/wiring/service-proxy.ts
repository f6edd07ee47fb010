import type { Socket } from 'node:net';
import type { EndpointSlice, KubernetesObject, Service } from '@kemu/core';
import { ClusterDns, Proxier, type ProxierConfig, renderIPVS, renderNFTables } from '@kemu/kube-proxy';
import { type DnsServer, NodeProxy, startDnsServer } from '@kemu/kube-proxy/proxy';
import type { EntryPoint, LabAddon, LabContext } from '../lab/hooks.js';
import { LoadBalancerHostPorts } from './load-balancer-ports.js';

/** Options of {@link createServiceProxy}. */
export interface ServiceProxyOptions {
  /** The pod network; default 10.244.0.0/16, as kubeadm. */
  clusterCIDR?: string;
  /** Port of the cluster DNS server on 127.0.0.1; 0 (default) picks a free one. */
  dnsPort?: number;
  /** LoadBalancer host ports: `ns/name:port` → port on 127.0.0.1. */
  loadBalancerPorts?: Record<string, number>;
  /**
   * Where a pod endpoint is reached, TCP or UDP: the lab passes its overlay gateway (NodePort →
   * overlay → pod). Default, for a lab with no overlay: the pod's own socket from its address book.
   */
  reach?(podIP: string, port: number, protocol: 'TCP' | 'UDP'): { host: string; port: number } | undefined;
}

/** The lab's service proxy: NodePorts and LoadBalancer ports on loopback, pod egress to ClusterIPs, DNS, rules per node. */
export interface ServiceProxy {
  addon: LabAddon;
  /** Pod egress to a Service IP (the CNI agent's hook); resolves with a socket to the chosen endpoint's real port. */
  connect(serviceIP: string, port: number, clientIP: string): Promise<Socket>;
  /** The rules `node` would program, as kube-proxy writes them. */
  renderRules(node: string, mode: 'iptables' | 'nftables' | 'ipvs'): string;
  /** The DNS server's port once started. */
  readonly dnsPort: number | undefined;
}

/**
 * Wires @kemu/kube-proxy into a lab: one proxier fed by the Services and EndpointSlices informers,
 * a NodeProxy whose endpoints resolve through `reach` (the overlay) or else the lab's pod address
 * book (never a virtual IP), and cluster DNS on loopback. Changes are applied as partial syncs, so
 * open connections survive them.
 */
export function createServiceProxy(options: ServiceProxyOptions = {}): ServiceProxy {
  let proxy: NodeProxy | undefined;
  let dns: DnsServer | undefined;
  // The informers' caches already hold every Service and EndpointSlice: rules of other nodes read them.
  let informers: LabContext['informers'] | undefined;
  const clusterCIDR = options.clusterCIDR ?? '10.244.0.0/16';
  const config = (nodeName: string): ProxierConfig => ({ nodeName, clusterCIDR });
  let queue = Promise.resolve();
  const loadBalancerPorts: Record<string, number> = { ...options.loadBalancerPorts };
  const hostPorts = new LoadBalancerHostPorts(loadBalancerPorts);

  const addon: LabAddon = {
    name: 'service-proxy',
    async start(ctx) {
      informers = ctx.informers;
      const proxier = Proxier.from([], config(ctx.nodes[0] ?? 'kemu-worker'));
      proxy = await NodeProxy.start({
        proxier,
        // Read at every sync: LoadBalancer Services get their host ports as they get an address.
        loadBalancerPorts,
        resolve: (endpoint) => {
          if (options.reach && endpoint.protocol !== 'SCTP') return options.reach(endpoint.ip, endpoint.port, endpoint.protocol);
          const binding = ctx.pods.resolve(endpoint.ip, endpoint.port, endpoint.protocol);
          return binding ? { host: binding.host, port: binding.port } : undefined;
        },
      });
      const apply = (type: 'upsert' | 'delete', object: Service | EndpointSlice) => {
        // Applied in order, one at a time: each is a partial sync of one Service.
        queue = queue
          .then(async () => {
            if (object.kind === 'Service') await hostPorts.update(type, object as Service);
            await proxy?.apply({ type, object });
          })
          .catch((error) => ctx.log(`service proxy: ${(error as Error).message}`));
      };
      for (const kind of ['Service', 'EndpointSlice'] as const) {
        ctx.informers
          .for<Service | EndpointSlice>(kind)
          .on((event, object) => apply(event === 'DELETED' ? 'delete' : 'upsert', object));
      }
      await queue;
      dns = await startDnsServer(new ClusterDns(proxier.table), { host: '127.0.0.1', port: options.dnsPort ?? 0 });
    },
    async close() {
      await queue;
      await proxy?.close();
      await dns?.close();
    },
    entryPoints(): EntryPoint[] {
      const points: EntryPoint[] = (proxy?.listeners() ?? []).map((l) => ({
        name: `${l.kind} ${l.servicePort}`,
        url: `${l.protocol.toLowerCase()}://${l.host}:${l.port}`,
      }));
      if (dns) points.push({ name: 'DNS', url: `udp://127.0.0.1:${dns.port}` });
      return points;
    },
  };

  return {
    addon,
    get dnsPort() {
      return dns?.port;
    },
    async connect(serviceIP, port, clientIP) {
      if (!proxy) throw new Error('the service proxy is not started');
      await queue;
      return proxy.connect(serviceIP, port, { ip: clientIP });
    },
    renderRules(node, mode) {
      const current: KubernetesObject[] = informers
        ? [...informers.for('Service').list(), ...informers.for('EndpointSlice').list()]
        : [];
      const proxier = Proxier.from(current, config(node));
      if (mode === 'iptables') return proxier.iptables().text;
      if (mode === 'nftables') return renderNFTables(proxier.table, proxier.config);
      return renderIPVS(proxier.table, proxier.config);
    },
  };
}
