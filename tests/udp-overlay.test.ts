import type { NetworkPolicy, Pod, Service } from '@kemu/core';
import { createLab, type TestLab } from 'kemu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { associateUdp, type RelayedDatagram, type UdpAssociation } from './socks5-udp-client.js';

// Issue 7, end-to-end: "UDP through the overlay". The test is the client pod: it sends through the
// pod's own SOCKS5 proxy (UDP ASSOCIATE, RFC 1928 §7), as published in the pod's
// `kemu.dev/pod-network` annotation, to the echo pod on the other node; datagrams between the
// nodes are VXLAN frames (RFC 7348) between the two node agents.
const manifests = `
apiVersion: v1
kind: Node
metadata: {name: node-1}
---
apiVersion: v1
kind: Node
metadata: {name: node-2}
---
apiVersion: v1
kind: Pod
metadata: {name: echo, labels: {app: echo}}
spec:
  nodeName: node-2
  containers: [{name: echo, image: kemu/echo, ports: [{name: dns, containerPort: 5353, protocol: UDP}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  nodeName: node-1
  containers: [{name: client, image: kemu/echo}]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{name: dns, port: 53, targetPort: dns, protocol: UDP}]
`;

const denyEchoIngress = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: echo-deny-ingress}
spec:
  podSelector: {matchLabels: {app: echo}}
  policyTypes: [Ingress]
`;

let lab: TestLab;
let client: { ip: string; socksProxy: string };
let echoIP: string;

/** Polls `probe` every 20 ms until it returns a value, up to `timeoutMs`. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends `payload` until a datagram comes back (UDP may lose the first while informers catch up), up to 5 s. */
function exchange(association: UdpAssociation, host: string, port: number, payload: Buffer): Promise<RelayedDatagram> {
  return until(`an answer from ${host}:${port}`, async () => {
    await association.send(host, port, payload);
    return association.receive(250);
  });
}

const agent = (node: string) => lab.full.podNetwork.agent(node);
const policyInformer = () => lab.full.lab.informers.for<NetworkPolicy>('NetworkPolicy');

beforeAll(async () => {
  lab = await createLab(manifests);
  await lab.ready();
  const pod = (name: string) => lab.full.lab.store.get<Pod>({ kind: 'Pod', namespace: 'default', name });
  // The node agent publishes the pod's proxies in its pod-network annotation once the pod runs.
  client = await until('the client pod to publish its SOCKS5 proxy', async () => {
    const p = await pod('client');
    const network = p?.metadata.annotations?.['kemu.dev/pod-network'];
    const socksProxy = network ? (JSON.parse(network) as { socksProxy?: string }).socksProxy : undefined;
    return socksProxy && p?.status?.podIP ? { ip: p.status.podIP, socksProxy } : undefined;
  });
  echoIP = (await pod('echo'))!.status!.podIP!;
});
afterAll(async () => lab?.close());

describe('UDP through the overlay (e2e)', () => {
  it("returns the echo pod's answer across nodes, named by the pod IP:port in the SOCKS header", async () => {
    // RFC 1928 §7: the relay sends a reply to the client with the UDP request header naming its source.
    await using association = await associateUdp(client.socksProxy);
    const [from, to] = [await agent('node-1'), await agent('node-2')];
    const framesOut = from.counters.pair(client.ip, echoIP).datagrams;
    const framesBack = to.counters.pair(echoIP, client.ip).datagrams;
    const payload = Buffer.from('udp through the overlay \u0000\u00ff');
    const answer = await exchange(association, echoIP, 5353, payload);
    expect(answer).toEqual({ host: echoIP, port: 5353, data: payload });
    // Both directions crossed as VXLAN frames: node-1's agent encapsulated the request, node-2's the reply.
    expect(from.counters.pair(client.ip, echoIP).datagrams).toBeGreaterThan(framesOut);
    expect(to.counters.pair(echoIP, client.ip).datagrams).toBeGreaterThan(framesBack);
    // node-2 tracks the flow from the client pod's overlay address, source port = our UDP port.
    expect(to.udpFlows().towardPods).toContainEqual(
      expect.objectContaining({ src: { ip: client.ip, port: association.port }, dst: { ip: echoIP, port: 5353 } }),
    );
  });

  it('returns the answer through a UDP ClusterIP Service from the ClusterIP:port', async () => {
    // kube-proxy DNATs ClusterIP:port to an endpoint (kubernetes.io/docs/concepts/services-networking/service/,
    // "Virtual IPs and Service Proxies"); conntrack reverses it, so the reply's source is the Service.
    const service = await lab.full.lab.store.get<Service>({ kind: 'Service', namespace: 'default', name: 'echo' });
    const clusterIP = service!.spec.clusterIP!;
    await using association = await associateUdp(client.socksProxy);
    const from = await agent('node-1');
    const framesOut = from.counters.pair(client.ip, echoIP).datagrams;
    const payload = Buffer.from('udp to a ClusterIP');
    const answer = await exchange(association, clusterIP, 53, payload);
    expect(answer).toEqual({ host: clusterIP, port: 53, data: payload });
    // DNATed on node-1 to the echo pod's IP:targetPort, then sent across the overlay.
    expect(from.counters.pair(client.ip, echoIP).datagrams).toBeGreaterThan(framesOut);
    expect(from.udpFlows().opened).toContainEqual(
      expect.objectContaining({
        pod: { ip: client.ip, port: association.port },
        peer: { ip: echoIP, port: 5353 },
        reported: { ip: clusterIP, port: 53 },
      }),
    );
  });

  it('drops the datagram while a NetworkPolicy isolates the echo pod for ingress; deleting it restores answers', async () => {
    // A pod selected by an Ingress policy with no rules admits nothing
    // (kubernetes.io/docs/concepts/services-networking/network-policies/, "Default deny all ingress traffic").
    await lab.apply(denyEchoIngress);
    await until('the agents to see the policy', () => policyInformer().get('default', 'echo-deny-ingress'));
    await using association = await associateUdp(client.socksProxy);
    const to = await agent('node-2');
    const drops = () => to.counters.pair(client.ip, echoIP).drops['policy-ingress'] ?? 0;
    const before = drops();
    await association.send(echoIP, 5353, Buffer.from('denied'));
    expect(await association.receive(300)).toBeUndefined();
    // Judged by the destination's agent, after the frame crossed the overlay, and counted with its reason.
    await until('the drop to be counted', () => (drops() > before ? true : undefined));
    expect(drops()).toBe(before + 1);

    await lab.full.lab.delete(denyEchoIngress);
    await until('the agents to see the policy gone', () =>
      policyInformer().get('default', 'echo-deny-ingress') ? undefined : true,
    );
    const payload = Buffer.from('allowed again');
    expect(await exchange(association, echoIP, 5353, payload)).toEqual({ host: echoIP, port: 5353, data: payload });
  });
});
