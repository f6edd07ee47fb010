import type { ClaimStore } from '@kemu/cni';
import { type NameResolver, type NodeAgent, type PodRegistration, startNodeAgent } from '@kemu/cni/agent';
import type { Pod, Store } from '@kemu/core';
import type { LabAddon, PodIPAllocator, PodNetwork, PodPortBinding } from '../lab/hooks.js';
import { publishAgentEndpoint, StoreDirectory } from './cni-directory.js';
import { HostGateway, ingressControllerPeer } from './cni-host-gateway.js';
import { createCniAllocator } from './cni-ipam.js';
import { clusterNameResolver } from './cni-names.js';
import { PolicyView } from './cni-policy.js';
import { ClusterIPSelection } from './cni-services.js';
import { PodNetworkAddressError } from './errors.js';

/** Options of {@link createPodNetwork}. */
export interface PodNetworkOptions {
  /** Where IPAM keeps its reservations (the lab's store: claims are atomic across processes). */
  store: ClaimStore;
  /** The lab's node names, in order: node i gets agent address 127.0.0.(i+2); others follow. */
  nodes?: readonly string[];
  /** The address a node's agent listens on (`kemu agent --advertise`); default 127.0.0.(i+2) as above. */
  address?(node: string): string | undefined;
  /**
   * Whether this process starts an agent for every node of the lab when it starts (default true).
   * A `kemu agent` process runs one node; the control plane with separate agents runs none.
   */
  agentsForLabNodes?: boolean;
  /**
   * Give the host (the lab's ingress and NodePorts) a node agent of its own, so its traffic to
   * pods crosses the overlay (default false; the lab's control plane turns it on).
   */
  hostGateway?: boolean;
}

/** The lab's pod network: @kemu/cni IPAM, one node agent per node, NetworkPolicy on real traffic. */
export interface LabPodNetwork {
  /** Pod IPs from each node's podCIDR (host-local IPAM over store claims). */
  allocator: PodIPAllocator;
  /** The CNI ADD/DEL of one node: registers pods with that node's agent. */
  network(node: string): PodNetwork;
  /** Follows NetworkPolicies, Namespaces, Services and EndpointSlices; closes the agents. */
  addon: LabAddon;
  /** The agent of a node, started on first use. */
  agent(node: string): Promise<NodeAgent>;
  /** The host's way into the overlay (with `hostGateway`). */
  gateway: HostGateway | undefined;
}

/** The host's agent: not a Node (the name is no valid node name), it runs no pods and is never dialled. */
export const hostAgentName = '(host)';

/** A pod's key in the network (CNI keys attachments by container ID; the pod UID here). */
function keyOf(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

/** The registration of a pod: its virtual IP backed by its real loopback listeners. */
function registrationOf(pod: Pod, podIP: string, bindings: readonly PodPortBinding[]): PodRegistration {
  const real = (protocol: 'TCP' | 'UDP') =>
    Object.fromEntries(
      bindings.filter((b) => b.protocol === protocol).map((b) => [b.containerPort, { host: b.host, port: b.port }]),
    );
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    ip: podIP,
    labels: pod.metadata.labels ?? {},
    // Named ports in policies resolve against the pod's declared containerPorts.
    ports: pod.spec.containers.flatMap((c) => c.ports ?? []),
    tcp: real('TCP'),
    udp: real('UDP'),
  };
}

/**
 * The agent's env plus the lowercase names (curl reads only `http_proxy` for plain HTTP) and
 * `NO_PROXY` for real loopback addresses (the lab's API and DNS are not pod traffic).
 */
function proxyEnv(env: Record<string, string>): Record<string, string> {
  const out = { ...env, NO_PROXY: '127.0.0.1,localhost,::1', no_proxy: '127.0.0.1,localhost,::1' };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']) {
    const value = env[name];
    if (value) Object.assign(out, { [name.toLowerCase()]: value });
  }
  return out;
}

/**
 * Wires @kemu/cni into a lab. Each node's agent listens on its own loopback address (127.0.0.x,
 * routed to lo on Linux) and is the pod network of that node: `attach` registers the pod (its
 * virtual IP → its real ports) and hands it `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` pointing at
 * its own proxies, through which its outbound traffic is policed and tunnelled. A ClusterIP is
 * first resolved by @kemu/kube-proxy's selection for the source pod's node (affinity, traffic
 * policies, topology), as kube-proxy's DNAT runs before the CNI's filter; then the policy is
 * judged on the chosen pod. A name the pod gives its proxies is resolved before that, as its
 * resolv.conf would against the cluster DNS (`cni-names.ts`). Agents in other processes are found
 * through the store.
 */
export function createPodNetwork(options: PodNetworkOptions): LabPodNetwork {
  // Every process knows the ingress controller's address: it is a source, never a destination.
  const directory = new StoreDirectory([{ ...ingressControllerPeer, node: hostAgentName }]);
  let store: Store | undefined;
  let log: (message: string) => void = () => undefined;
  // Other processes' agents find this one through its Node's annotations (flannel's way).
  const publish = (started: NodeAgent) =>
    store
      ? publishAgentEndpoint(store, started.endpoint).catch((error: unknown) =>
          log(`pod network: node ${started.endpoint.node}: endpoint not published: ${(error as Error).message}`),
        )
      : Promise.resolve();
  const policy = new PolicyView();
  let selection: ClusterIPSelection | undefined;
  let names: NameResolver | undefined;
  const agents = new Map<string, Promise<NodeAgent>>();
  const podIPs = new Map<string, { node: string; ip: string }>();
  const order = [...(options.nodes ?? [])];
  let closed = false;
  let hostAgent: Promise<NodeAgent> | undefined;
  const gateway = options.hostGateway
    ? new HostGateway(() => {
        hostAgent ??= startNodeAgent({ node: hostAgentName, address: '127.0.0.1', directory, policy: () => policy.current() });
        return hostAgent;
      })
    : undefined;

  const agent = (node: string): Promise<NodeAgent> => {
    let started = agents.get(node);
    if (!started) {
      if (!order.includes(node)) order.push(node);
      const index = order.indexOf(node);
      const address = options.address?.(node);
      if (!address && index > 252) return Promise.reject(new PodNetworkAddressError(node, 253));
      started = startNodeAgent({
        node,
        address: address ?? `127.0.0.${index + 2}`,
        directory,
        policy: () => policy.current(),
        resolveService: (dst, src) => selection?.resolverFor(node)(dst, src),
        resolveName: (name, pod) => names?.(name, pod),
      });
      started = started.then(async (running) => {
        await publish(running);
        return running;
      });
      agents.set(node, started);
    }
    return started;
  };

  const network = (node: string): PodNetwork => ({
    async attach(pod, podIP, ports) {
      if (closed) return {};
      const nodeAgent = await agent(node);
      const previous = podIPs.get(keyOf(pod));
      if (previous) await (await agent(previous.node)).removePod(previous.ip);
      const attachment = await nodeAgent.addPod(registrationOf(pod, podIP, ports));
      podIPs.set(keyOf(pod), { node, ip: podIP });
      return { env: proxyEnv(attachment.env) };
    },
    async detach(pod) {
      const held = podIPs.get(keyOf(pod));
      if (!held || closed) return;
      podIPs.delete(keyOf(pod));
      await (await agent(held.node)).removePod(held.ip);
    },
  });

  const addon: LabAddon = {
    name: 'pod-network',
    async start(ctx) {
      store = ctx.store;
      log = ctx.log;
      directory.follow(ctx.informers);
      policy.follow(ctx.informers);
      selection = new ClusterIPSelection(ctx.informers);
      names = clusterNameResolver(selection.table);
      gateway?.follow(ctx.informers);
      // Agents started before (a pod attached early) are published now that the store is known.
      for (const started of agents.values()) await publish(await started);
      if (options.agentsForLabNodes !== false) for (const node of ctx.nodes) await agent(node);
    },
    async close() {
      // Pods stop after the addons: their detach finds the agents gone and has nothing to do.
      closed = true;
      await gateway?.close();
      const started = await Promise.allSettled([...agents.values(), ...(hostAgent ? [hostAgent] : [])]);
      agents.clear();
      podIPs.clear();
      for (const result of started) if (result.status === 'fulfilled') await result.value.close();
    },
    entryPoints() {
      return [];
    },
  };

  return { allocator: createCniAllocator(options.store), network, addon, agent, gateway };
}
