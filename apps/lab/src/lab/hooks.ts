import type { Node, Pod, Store, Volume } from '@kemu/core';
import type { InformerFactory } from './informer.js';

// The seams where the emulators plug into the lab. Each has a small default so a lab runs
// without them; `Lab` takes replacements in its options.

/** A port a pod listens on: its declared containerPort and the real loopback port behind it. */
export interface PodPortBinding {
  /** Container name. */
  container: string;
  /** The port name from the pod spec, if any. */
  name?: string;
  containerPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** The real address the pod listens on: always 127.0.0.1. */
  host: string;
  /** The real port, allocated by the runtime (listen(0)). */
  port: number;
}

/** Hands out pod IPs (virtual: nothing ever connects to one). @kemu/cni's IPAM replaces the default. */
export interface PodIPAllocator {
  /** An IP for `pod` on `node`; called again for the same pod it returns the same IP. */
  allocate(node: Node, pod: Pod): Promise<string>;
  /** Gives the pod's IP back. */
  release(node: Node, pod: Pod): Promise<void>;
}

/** What attaching a pod to the network gives it. */
export interface PodNetworkAttachment {
  /** Extra environment for the pod's containers (e.g. HTTP_PROXY / ALL_PROXY of the node agent). */
  env?: Record<string, string>;
}

/** Connects a pod to the pod network (the CNI ADD/DEL of a node agent). */
export interface PodNetwork {
  /** Called once the pod has its IP and its real ports, before it is marked Running. */
  attach(pod: Pod, podIP: string, ports: readonly PodPortBinding[]): Promise<PodNetworkAttachment>;
  /** Called after the pod's containers stopped. */
  detach(pod: Pod): Promise<void>;
}

/** Makes a pod's volumes available as host directories (the CSI node plugin's NodePublish). */
export interface VolumeProvider {
  /** The host directory the pod sees for `volume` (created on demand). */
  mount(pod: Pod, volume: Volume): Promise<string>;
  /** Called after the pod stopped. */
  unmount(pod: Pod, volume: Volume): Promise<void>;
}

/** Finds the real socket behind a virtual pod address: the lookup the data plane needs. */
export interface PodAddressBook {
  /** The binding for `podIP:port/protocol`, if a running pod listens there. */
  resolve(podIP: string, port: number, protocol?: 'TCP' | 'UDP' | 'SCTP'): PodPortBinding | undefined;
  /** Every binding of one pod, by namespace and name. */
  bindingsOf(namespace: string, name: string): readonly PodPortBinding[];
}

/** What a {@link LabAddon} gets when the lab starts. */
export interface LabContext {
  store: Store;
  informers: InformerFactory;
  pods: PodAddressBook;
  nodes: readonly string[];
  /** Writes a line to the lab's event log (what `kemu up` prints). */
  log(message: string): void;
}

/** An entry point the lab prints (ingress URL, NodePort, DNS server…). */
export interface EntryPoint {
  name: string;
  url: string;
}

/**
 * A component started with the lab and closed with it: the service proxy (@kemu/kube-proxy),
 * the ingress (@kemu/ingress), CSI controllers. Started after the controllers, closed before them.
 */
export interface LabAddon {
  readonly name: string;
  start(context: LabContext): Promise<void>;
  close(): Promise<void>;
  /** Entry points to print once started. */
  entryPoints?(): EntryPoint[];
}
