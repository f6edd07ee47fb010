import path from 'node:path';
import { type Node, type Secret, type Store, StoreAlreadyExistsError } from '@kemu/core';
import type { LabContext } from '../lab/hooks.js';
import { InformerFactory } from '../lab/informer.js';
import { kubeletCredentials, kubeletTokenOf } from '../lab/kubelet-credentials.js';
import { nodeLabels } from '../lab/nodes.js';
import { PodAddressRegistry } from '../lab/runtime/address-book.js';
import { NodeAgent } from '../lab/runtime/node-agent.js';
import { createPodNetwork, type LabPodNetwork } from '../wiring/cni.js';
import { createCsiVolumes } from '../wiring/csi.js';
import { NodeNotAdmittedError } from '../wiring/errors.js';
import { KubeletServer, publishKubeletEndpoint } from './kubelet-server.js';
import { generateKubeletServingCertificate, type KubeletServingCertificate } from './kubelet-serving-cert.js';

/** Options of {@link startNodeRuntime}. */
export interface NodeRuntimeOptions {
  /** The lab's shared store (Redis, or a memory store in tests). */
  store: Store;
  /** The node this process runs. */
  node: string;
  /** The address the node's agent listens on and publishes (its tunnel, VXLAN socket and pod proxies). */
  advertise: string;
  /** The lab's data folder, shared with the control plane (CSI volume data, logs). */
  dataDir: string;
  /** `topology.kubernetes.io/zone` of a Node this agent registers; default `zone-a`. */
  zone?: string;
  /** Lease renew interval; default 1000 ms. */
  heartbeatMs?: number;
  /** How long to wait for the control plane to give the Node a pod CIDR; default 30 s. */
  admissionTimeoutMs?: number;
  /** The kubelet's serving certificate (`--kubelet-tls-cert`); default: a self-signed one made at start, as the kubelet's. */
  kubeletCertificate?: KubeletServingCertificate;
  log?(message: string): void;
}

/** One node of a lab running in its own process. */
export interface NodeRuntime {
  readonly node: string;
  /** The pod network (its agent publishes its endpoint on the Node). */
  readonly podNetwork: LabPodNetwork;
  /** The kubelet part: pods, heartbeats, logs. */
  readonly agent: NodeAgent;
  /** The kubelet's HTTPS server (`/containerLogs`) on the advertise address; the API server proxies pods/log to it. */
  readonly kubelet: KubeletServer;
  /** Stops pods (with their grace periods; they stay in the store), the agent and the informers. */
  close(): Promise<void>;
}

/** The Node a `kemu agent` registers, as a kubelet does (`--register-node`): labels; the control plane adds CIDR and address. */
export function agentNode(name: string, zone: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: nodeLabels(name, zone) },
    spec: { providerID: `kemu://${name}` },
    status: {
      capacity: { cpu: '8', memory: '16Gi', pods: '110' },
      allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
    },
  };
}

/**
 * Runs one node of a lab whose control plane (`kemu up --no-agents`) is another process sharing
 * the store: registers the Node, waits for nodeipam to give it a pod CIDR, then runs the node's
 * kubelet part (pods on loopback, Lease heartbeats), its @kemu/cni agent (overlay endpoint
 * published on the Node, per-pod proxies, NetworkPolicy) and its @kemu/csi node plugin.
 */
export async function startNodeRuntime(options: NodeRuntimeOptions): Promise<NodeRuntime> {
  const { store, node } = options;
  const log = options.log ?? (() => undefined);
  await store.create(agentNode(node, options.zone ?? 'zone-a')).catch((error: unknown) => {
    if (!(error instanceof StoreAlreadyExistsError)) throw error;
  });
  const kubeletToken = await waitForControlPlane(store, node, options.admissionTimeoutMs ?? 30_000);

  const informers = new InformerFactory(store);
  const registry = new PodAddressRegistry();
  const podNetwork = createPodNetwork({ store, nodes: [node], address: () => options.advertise });
  const csi = createCsiVolumes({ dataDir: options.dataDir, nodes: [node], controllers: false });
  const agent = new NodeAgent({
    store,
    informers,
    nodeName: node,
    allocator: podNetwork.allocator,
    network: podNetwork.network(node),
    volumes: csi.volumes,
    registry,
    heartbeatMs: options.heartbeatMs,
    logDir: path.join(options.dataDir, 'logs', node),
    warn: log,
  });
  const context: LabContext = { store, informers, pods: registry, nodes: [node], log };
  const addons = [podNetwork.addon, csi.addon];
  const certificate = options.kubeletCertificate ?? generateKubeletServingCertificate(node, [options.advertise]);
  const kubelet = new KubeletServer({ source: agent, host: options.advertise, token: kubeletToken, certificate });
  agent.start();
  try {
    await informers.start();
    for (const addon of addons) await addon.start(context);
    await podNetwork.agent(node);
    await publishKubeletEndpoint(store, node, await kubelet.start(), certificate.fingerprint);
  } catch (error) {
    await kubelet.close().catch(() => undefined);
    await agent.close().catch(() => undefined);
    for (const addon of addons) await addon.close().catch(() => undefined);
    await informers.close();
    throw error;
  }
  return {
    node,
    podNetwork,
    agent,
    kubelet,
    async close() {
      await kubelet.close();
      // As the lab: addons first (their detach then has nothing to do), then the pods.
      for (const addon of [...addons].reverse()) await addon.close().catch(() => undefined);
      await agent.close();
      await informers.close();
    },
  };
}

/**
 * Waits until a control plane runs on the store: its nodeipam gave `node` a pod CIDR and the lab's
 * kubelet credentials exist. Resolves with the kubelet token.
 */
async function waitForControlPlane(store: Store, node: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await store.get<Node>({ kind: 'Node', name: node });
    const token = kubeletTokenOf(await store.get<Secret>({ kind: 'Secret', ...kubeletCredentials }));
    if (token && (current?.spec?.podCIDR || current?.spec?.podCIDRs?.length)) return token;
    if (Date.now() > deadline) throw new NodeNotAdmittedError(node, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
