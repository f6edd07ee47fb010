import dgram from 'node:dgram';
import type { NodeAgent } from '@kemu/cni/agent';
import type { Pod, Service } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers.js';
import { createLab, type TestLab } from '../testing/index.js';
import { hostSourceIP } from './cni-host-gateway.js';

// UDP NodePorts through the overlay: host → kube-proxy (NodePort, one relay flow per client) →
// the host's node agent → VXLAN frame (RFC 7348) → the pod's agent → pod, and the echo back the
// same way. "Each node proxies that port (the same port number on every Node) into your Service",
// TCP, UDP or SCTP to match the Service's protocol (kubernetes.io/docs/concepts/services-networking/
// service/#type-nodeport); kube-proxy masquerades it (KUBE-EXT → KUBE-MARK-MASQ), so the pod's
// NetworkPolicy sees the node's address, here the host's on kind's network (172.18.0.1).
const manifests = `
apiVersion: v1
kind: Pod
metadata: {name: echo, labels: {app: echo}}
spec:
  nodeName: kemu-worker2
  containers: [{name: echo, image: kemu/echo, ports: [{name: dns, containerPort: 5353, protocol: UDP}]}]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  type: NodePort
  selector: {app: echo}
  ports: [{name: dns, port: 53, targetPort: dns, protocol: UDP}]
`;

// Pods only: "ingress: from: podSelector: {}" admits every pod of the namespace and no address.
const onlyPods = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: echo-from-pods}
spec:
  podSelector: {matchLabels: {app: echo}}
  ingress: [{from: [{podSelector: {}}]}]
`;

const hostNetwork = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: echo-from-the-host}
spec:
  podSelector: {matchLabels: {app: echo}}
  ingress: [{from: [{ipBlock: {cidr: 172.18.0.0/16}}]}]
`;

// A LoadBalancer gets a host port on 127.0.0.1 (kind's cloud provider), proxied like a NodePort.
const loadBalancer = `
apiVersion: v1
kind: Service
metadata: {name: echo-lb}
spec:
  type: LoadBalancer
  selector: {app: echo}
  ports: [{name: dns, port: 5353, targetPort: dns, protocol: UDP}]
`;

interface UdpClient {
  received: string[];
  send(port: number, text: string): Promise<void>;
  close(): void;
}

/** One client socket on 127.0.0.1, so one flow through the NodePort. */
async function udpClient(): Promise<UdpClient> {
  const socket = dgram.createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (message) => received.push(message.toString()));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    received,
    send: (port, text) => new Promise<void>((resolve) => socket.send(text, port, '127.0.0.1', () => resolve())),
    close: () => socket.close(),
  };
}

/** Sends `text` until its echo comes back: the first datagrams may arrive before the endpoints do. */
function echoed(client: UdpClient, port: number, text: string): Promise<true> {
  return eventually(
    async () => {
      await client.send(port, text);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return client.received.includes(text) || undefined;
    },
    5000,
    `the echo of "${text}"`,
  );
}

interface EchoLab {
  lab: TestLab;
  nodePort: number;
  podIP: string;
  /** The agent of the pod's node. */
  agent: NodeAgent;
  client: UdpClient;
}

/** Runs `body` in a 2-node lab with the echo pod on kemu-worker2, then closes the client and the lab. */
async function inLab<T>(yaml: string, body: (echo: EchoLab) => Promise<T>): Promise<T> {
  const lab = await createLab(yaml, { nodes: 2 });
  const client = await udpClient();
  try {
    await lab.ready();
    const store = lab.full.lab.store;
    const service = await store.get<Service>({ kind: 'Service', namespace: 'default', name: 'echo' });
    const pod = await store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'echo' });
    const nodePort = service!.spec.ports![0]!.nodePort!;
    const agent = await lab.full.podNetwork.agent('kemu-worker2');
    return await body({ lab, nodePort, podIP: pod!.status!.podIP!, agent, client });
  } finally {
    client.close();
    await lab.close();
  }
}

/** True when a UDP socket can bind `port` on 127.0.0.1 (whoever held it has let go). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = dgram.createSocket('udp4');
    probe.once('error', () => resolve(false));
    probe.bind(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('UDP NodePorts through the overlay', () => {
  it('echoes a datagram from a pod on another node, carried as VXLAN frames both ways', async () => {
    await inLab(manifests, async ({ nodePort, podIP, agent, client }) => {
      await echoed(client, nodePort, 'ping through the overlay');
      // The pod's agent decapsulated the host's datagrams and encapsulated the pod's answers: the
      // host has an agent of its own and no pod, so nothing reached the pod but through VXLAN.
      expect(agent.counters.pair(hostSourceIP, podIP).bytesReceived).toBeGreaterThan(0);
      expect(agent.counters.pair(podIP, hostSourceIP).datagrams).toBeGreaterThan(0);
      const flow = agent.udpFlows().towardPods.find((f) => f.dst.ip === podIP);
      expect(flow).toMatchObject({ src: { ip: hostSourceIP }, dst: { ip: podIP, port: 5353 } });
    });
  });

  it('is dropped at the pod’s agent by a policy that admits only pods, and echoed again once it is deleted', async () => {
    // kubernetes.io, Network Policies: a pod selected for ingress admits only what a rule allows;
    // the NodePort's traffic arrives masqueraded to the node's address, which no podSelector matches.
    await inLab(`${manifests}\n---\n${onlyPods}`, async ({ lab, nodePort, podIP, agent, client }) => {
      const pair = agent.counters.pair(hostSourceIP, podIP);
      await eventually(
        async () => {
          await client.send(nodePort, 'denied');
          return (pair.drops['policy-ingress'] ?? 0) > 0;
        },
        5000,
        'a policy-ingress drop',
      );
      expect(pair.bytesReceived).toBe(0);
      expect(client.received).toEqual([]);
      await lab.full.lab.delete([{ kind: 'NetworkPolicy', namespace: 'default', name: 'echo-from-pods' }]);
      await echoed(client, nodePort, 'admitted again');
    });
  });

  it('is admitted by an ipBlock that holds the host’s address', async () => {
    await inLab(`${manifests}\n---\n${hostNetwork}`, async ({ nodePort, podIP, agent, client }) => {
      await echoed(client, nodePort, 'from 172.18.0.1');
      const pair = agent.counters.pair(hostSourceIP, podIP);
      expect(pair.bytesReceived).toBeGreaterThan(0);
      expect(pair.drops['policy-ingress']).toBeUndefined();
    });
  });

  it('carries a LoadBalancer’s UDP host port the same way', async () => {
    await inLab(`${manifests}\n---\n${loadBalancer}`, async ({ lab, podIP, agent, client }) => {
      const entry = await eventually(
        () => lab.full.lab.entryPoints().find((p) => p.name.startsWith('loadBalancer default/echo-lb'))?.url,
        5000,
        'the load balancer’s host port',
      );
      expect(entry).toMatch(/^udp:\/\/127\.0\.0\.1:\d+$/);
      await echoed(client, Number(new URL(entry).port), 'through the load balancer');
      expect(agent.counters.pair(podIP, hostSourceIP).datagrams).toBeGreaterThan(0);
    });
  });

  it('releases the flow’s sockets when the pod is deleted', async () => {
    await inLab(manifests, async ({ lab, nodePort, podIP, agent, client }) => {
      await echoed(client, nodePort, 'before the pod goes');
      const gatewayPort = lab.full.podNetwork.gateway!.udpAddressFor(podIP, 5353)!.port;
      expect(agent.udpFlows().towardPods.some((f) => f.dst.ip === podIP)).toBe(true);
      await lab.full.lab.delete([{ kind: 'Pod', namespace: 'default', name: 'echo' }]);
      // The pod's agent closes the flow's socket towards it; the host closes the pod's gateway socket.
      await eventually(() => !agent.udpFlows().towardPods.some((f) => f.dst.ip === podIP), 10_000, 'the flow closed');
      await eventually(() => bindable(gatewayPort), 10_000, 'the gateway socket closed');
    });
  });

  it('closes its sockets with the lab', async () => {
    const gatewayPort = await inLab(manifests, async ({ lab, nodePort, podIP, client }) => {
      await echoed(client, nodePort, 'before the lab stops');
      return lab.full.podNetwork.gateway!.udpAddressFor(podIP, 5353)!.port;
    });
    expect(await bindable(gatewayPort)).toBe(true);
  });
});
