import net from 'node:net';
import type { NodeAgent, PodRegistration } from '@kemu/cni/agent';
import { splice } from '@kemu/cni/agent';
import type { Pod } from '@kemu/core';
import type { InformerFactory } from '../lab/informer.js';
import { readPodNetwork } from '../lab/runtime/pod-network-annotation.js';
import { HostDatagramGateway } from './cni-host-datagrams.js';

/** A real loopback address that stands for a virtual pod endpoint. */
export interface GatewayAddress {
  host: string;
  port: number;
}

/**
 * The source address of NodePort traffic into the overlay, TCP and UDP: kube-proxy masquerades it
 * to the node's address (KUBE-MARK-MASQ), here the host's on kind's docker network 172.18.0.0/16
 * (its gateway, 172.18.0.1). A NetworkPolicy sees it as an address (an ipBlock), never as a pod.
 */
export const hostSourceIP = '172.18.0.1';

/**
 * Who the lab's ingress is to a NetworkPolicy: the ingress-nginx controller pod as kind's
 * ingress-nginx manifest deploys it (namespace ingress-nginx, its standard labels), on the
 * control plane's pod CIDR 10.244.0.0/24. Policies written for a cluster's ingress controller
 * (`namespaceSelector: kubernetes.io/metadata.name: ingress-nginx`) then work in the lab unchanged.
 */
export const ingressControllerPeer: Readonly<PodRegistration> = {
  namespace: 'ingress-nginx',
  name: 'ingress-nginx-controller',
  ip: '10.244.0.2',
  labels: {
    'app.kubernetes.io/name': 'ingress-nginx',
    'app.kubernetes.io/instance': 'ingress-nginx',
    'app.kubernetes.io/component': 'controller',
  },
  ports: [
    { name: 'http', containerPort: 80, protocol: 'TCP' },
    { name: 'https', containerPort: 443, protocol: 'TCP' },
  ],
};

/** Where host traffic comes from: the ingress controller, or a NodePort (masqueraded to the host). */
export type GatewaySource = 'ingress' | 'nodePort';

const sourceIPs: Record<GatewaySource, string> = { ingress: ingressControllerPeer.ip, nodePort: hostSourceIP };

interface Forwarder {
  server: net.Server;
  address: GatewayAddress | undefined;
  sockets: Set<net.Socket>;
}

/**
 * How the host's ingress and NodePorts reach pods: through the overlay, as in a cluster where the
 * ingress controller and kube-proxy's DNAT hand packets to the CNI. One loopback listener per pod
 * endpoint (`podIP:port`); each connection to it becomes a stream from the host's node agent to the
 * pod's agent (HTTP/2 tunnel, ingress NetworkPolicy judged there), so the data path is
 * host → ingress → service → overlay → pod. UDP endpoints get a loopback socket each whose
 * datagrams become VXLAN frames from the host's agent ({@link HostDatagramGateway}). Listeners
 * and sockets are made when a pod publishes its ports, before its endpoints are ready, so the
 * synchronous {@link addressFor} and {@link udpAddressFor} find them; they close with the pod.
 */
export class HostGateway {
  private readonly forwarders = new Map<string, Forwarder>();
  private readonly datagrams: HostDatagramGateway;
  private closed = false;

  constructor(private readonly agent: () => Promise<NodeAgent>) {
    this.datagrams = new HostDatagramGateway(agent, hostSourceIP);
  }

  /** Prepares listeners for every pod that publishes its ports, and drops them with the pod. */
  follow(informers: InformerFactory): void {
    informers.for<Pod>('Pod').on((type, pod, previous) => {
      const gone = previous?.status?.podIP;
      if (gone && (type === 'DELETED' || pod.status?.podIP !== gone)) this.forget(gone);
      const ip = pod.status?.podIP;
      if (type === 'DELETED' || !ip) return;
      for (const port of readPodNetwork(pod)?.ports ?? []) {
        if (port.protocol === 'UDP') this.datagrams.prepare(ip, port.containerPort);
        if (port.protocol !== 'TCP') continue;
        for (const source of ['ingress', 'nodePort'] as const) this.prepare(source, ip, port.containerPort);
      }
    });
  }

  /** The loopback address whose connections reach `podIP:port` over the overlay from `source` (undefined until its listener is up). */
  addressFor(source: GatewaySource, podIP: string, port: number): GatewayAddress | undefined {
    const forwarder = this.forwarders.get(`${podIP}|${port}|${source}`);
    if (!forwarder) this.prepare(source, podIP, port);
    return forwarder?.address;
  }

  /** The loopback address whose datagrams reach UDP `podIP:port` over the overlay (undefined until bound). */
  udpAddressFor(podIP: string, port: number): GatewayAddress | undefined {
    return this.datagrams.addressFor(podIP, port);
  }

  /** Closes every listener, socket and connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.datagrams.close();
    const all = [...this.forwarders.values()];
    this.forwarders.clear();
    await Promise.all(all.map(closeForwarder));
  }

  private prepare(source: GatewaySource, podIP: string, port: number): void {
    const key = `${podIP}|${port}|${source}`;
    if (this.closed || this.forwarders.has(key)) return;
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      this.carry(socket, sourceIPs[source], podIP, port);
    });
    const forwarder: Forwarder = { server, address: undefined, sockets };
    this.forwarders.set(key, forwarder);
    server.listen(0, '127.0.0.1', () => {
      const { port: real } = server.address() as net.AddressInfo;
      forwarder.address = { host: '127.0.0.1', port: real };
    });
  }

  private forget(podIP: string): void {
    this.datagrams.forget(podIP);
    for (const [key, forwarder] of this.forwarders) {
      if (!key.startsWith(`${podIP}|`)) continue;
      this.forwarders.delete(key);
      void closeForwarder(forwarder);
    }
  }

  private carry(socket: net.Socket, sourceIP: string, podIP: string, port: number): void {
    socket.on('error', () => undefined);
    void this.agent()
      .then((agent) => agent.connectFromHost({ ip: sourceIP, port: socket.remotePort ?? 0 }, podIP, port))
      .then((outcome) => {
        // A refusal (policy, no pod) resets the connection: the client sees what a dropped SYN gives it.
        if (!outcome.ok || socket.destroyed) {
          if (outcome.ok) outcome.stream.destroy();
          socket.resetAndDestroy();
          return;
        }
        splice(outcome.stream, socket);
      })
      .catch(() => socket.resetAndDestroy());
  }
}

function closeForwarder(forwarder: Forwarder): Promise<void> {
  return new Promise((resolve) => {
    forwarder.server.close(() => resolve());
    for (const socket of forwarder.sockets) socket.destroy();
  });
}
