// UDP from a node's host network (a NodePort, masqueraded to the node's address) to a pod, real
// sockets on loopback: a host agent with no pods (127.0.0.51) and a UDP echo pod's agent (127.0.0.52).
import dgram from 'node:dgram';
import { type NetworkPolicy, parseManifestsOrThrow } from '@kemu/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileNetworkPolicies, type PolicyEngine } from '../policy/engine.js';
import { type NodeAgent, startNodeAgent } from './agent.js';
import { MemoryDirectory } from './directory.js';

let engine: PolicyEngine = compileNetworkPolicies({ policies: [] });
const setPolicies = (yaml: string) => {
  engine = compileNetworkPolicies({ policies: yaml ? (parseManifestsOrThrow(yaml) as NetworkPolicy[]) : [] });
};
const hostSource = '172.18.0.1';
const echoIP = '10.244.52.2';
let host: NodeAgent;
let node: NodeAgent;
let echo: dgram.Socket;

beforeAll(async () => {
  const directory = new MemoryDirectory();
  host = await startNodeAgent({ node: 'host', address: '127.0.0.51', directory, policy: () => engine });
  node = await startNodeAgent({ node: 'b', address: '127.0.0.52', directory, policy: () => engine });
  echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  const udp = { 5353: { host: '127.0.0.1', port: echo.address().port } };
  await node.addPod({ namespace: 'default', name: 'echo', ip: echoIP, labels: { app: 'echo' }, udp });
});
afterAll(async () => {
  await host?.close();
  await node?.close();
  await new Promise<void>((r) => echo?.close(() => r()));
});

/** Sends `text` from `agent`'s host network, source port `port`; resolves with the first answer handed back. */
function exchange(agent: NodeAgent, port: number, text: string): Promise<{ from: string; data: string }> {
  return new Promise((resolve, reject) => {
    const outcome = agent.sendDatagramFromHost({ ip: hostSource, port }, echoIP, 5353, Buffer.from(text), (ip, p, data) => {
      resolve({ from: `${ip}:${p}`, data: Buffer.from(data).toString() });
      return true;
    });
    if (!outcome.ok) reject(new Error(outcome.reason));
  });
}

it('returns the pod’s answer to a source that is no pod, through the VTEP its frame came from', async () => {
  // RFC 7348 §4.1: the destination VTEP learns the outer source of a frame and serves the response
  // from it; the directory knows no pod at 172.18.0.1, so only that learnt mapping finds the host.
  setPolicies('');
  expect(await exchange(host, 41000, 'ping')).toEqual({ from: `${echoIP}:5353`, data: 'echo:ping' });
  expect(host.counters.pair(hostSource, echoIP).datagrams).toBe(1);
  expect(node.counters.pair(echoIP, hostSource).datagrams).toBe(1);
  expect(node.udpFlows().towardPods).toContainEqual(
    expect.objectContaining({
      src: { ip: hostSource, port: 41000 },
      underlay: expect.objectContaining({ address: '127.0.0.51' }),
    }),
  );
});

it('is judged by the pod’s ingress policy as an address, with no egress policy at the host', async () => {
  // kubernetes.io, Network Policies: ipBlock selects "particular IP CIDR ranges" — here the
  // node's address after kube-proxy's masquerade; an egress policy selects pods, never a host.
  setPolicies(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: echo-not-from-the-host, namespace: default}
spec:
  podSelector: {matchLabels: {app: echo}}
  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [172.18.0.1/32]}}]}]
`);
  const drops = () => node.counters.pair(hostSource, echoIP).drops['policy-ingress'] ?? 0;
  const before = drops();
  expect(host.sendDatagramFromHost({ ip: hostSource, port: 41001 }, echoIP, 5353, Buffer.from('denied'))).toEqual({
    ok: true,
  });
  const deadline = Date.now() + 3000;
  while (drops() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  setPolicies('');
  expect(drops()).toBe(before + 1);
  expect(node.udpFlows().towardPods.filter((f) => f.src.port === 41001)).toEqual([]);
});

it('delivers on the bridge when the pod runs on the host agent’s own node, and answers there', async () => {
  expect(await exchange(node, 41002, 'near')).toEqual({ from: `${echoIP}:5353`, data: 'echo:near' });
});
