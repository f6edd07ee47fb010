import type { ClaimStore } from '@kemu/cni';
import { MemoryDirectory, type NodeAgent, type PodRegistration, startNodeAgent } from '@kemu/cni/agent';
import type { Pod } from '@kemu/core';
import type { LabAddon, PodIPAllocator, PodNetwork, PodPortBinding } from '../lab/hooks.js';
import { createCniAllocator } from './cni-ipam.js';
import { PolicyView } from './cni-policy.js';
import { ServiceEndpoints } from './cni-services.js';
import { PodNetworkAddressError } from './errors.js';

/** Options of {@link createPodNetwork}. */
export interface PodNetworkOptions {
  /** Where IPAM keeps its reservations (the lab's store: claims are atomic across processes). */
  store: ClaimStore;
  /** The lab's node names, in order: node i gets agent address 127.0.0.(i+2); others follow. */
  nodes?: readonly string[];
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
}

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
 * its own proxies, through which its outbound traffic is policed and tunnelled. ClusterIPs are
 * resolved to a ready endpoint from the lab's EndpointSlices before the policy is judged.
 */
export function createPodNetwork(options: PodNetworkOptions): LabPodNetwork {
  const directory = new MemoryDirectory();
  const policy = new PolicyView();
  const services = new ServiceEndpoints();
  const agents = new Map<string, Promise<NodeAgent>>();
  const podIPs = new Map<string, { node: string; ip: string }>();
  const order = [...(options.nodes ?? [])];
  let closed = false;

  const agent = (node: string): Promise<NodeAgent> => {
    let started = agents.get(node);
    if (!started) {
      if (!order.includes(node)) order.push(node);
      const index = order.indexOf(node);
      if (index > 252) return Promise.reject(new PodNetworkAddressError(node, 253));
      started = startNodeAgent({
        node,
        address: `127.0.0.${index + 2}`,
        directory,
        policy: () => policy.current(),
        resolveService: services.resolve,
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
      policy.follow(ctx.informers);
      services.follow(ctx.informers);
      for (const node of ctx.nodes) await agent(node);
    },
    async close() {
      // Pods stop after the addons: their detach finds the agents gone and has nothing to do.
      closed = true;
      const started = await Promise.allSettled(agents.values());
      agents.clear();
      podIPs.clear();
      for (const result of started) if (result.status === 'fulfilled') await result.value.close();
    },
    entryPoints() {
      return [];
    },
  };

  return { allocator: createCniAllocator(options.store), network, addon, agent };
}
