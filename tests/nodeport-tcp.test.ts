import net from 'node:net';
import type { Service } from '@kemu/core';
import { createLab } from 'kemu/testing';
import { describe, expect, it } from 'vitest';

// Issue 7, end-to-end: "a raw TCP echo through a NodePort". kube-proxy's NodePort rule
// (pkg/proxy/iptables/proxier.go, KUBE-NODEPORTS) is served on 127.0.0.1:<nodePort> by the lab's
// service proxy; the kemu/echo app echoes any bytes that are not HTTP.
const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers: [{name: echo, image: kemu/echo, ports: [{name: raw, containerPort: 9000, protocol: TCP}]}]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  type: NodePort
  selector: {app: echo}
  ports: [{name: raw, port: 9000, targetPort: raw, protocol: TCP}]
`;

/** Connects to 127.0.0.1:port, writes `payload`, resolves with what came back once it is as long. */
function echoOnce(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let length = 0;
    socket.setTimeout(5000, () => socket.destroy(new Error('no echo within 5 s')));
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= payload.length) {
        socket.end();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${length} of ${payload.length} bytes`)));
  });
}

describe('raw TCP through a NodePort (e2e)', () => {
  it('echoes bytes that are not HTTP back from a pod', async () => {
    await using lab = await createLab(manifests, { nodes: 2 });
    await lab.ready();
    const service = await lab.full.lab.store.get<Service>({ kind: 'Service', namespace: 'default', name: 'echo' });
    const nodePort = service?.spec.ports?.[0]?.nodePort;
    expect(nodePort).toBeGreaterThan(0);
    // Binary, starting with bytes no HTTP parser accepts as a method.
    const payload = Buffer.concat([Buffer.from([0x00, 0xff, 0x13, 0x37]), Buffer.from('raw tcp through a NodePort\n')]);
    // Endpoints reach the proxy through the informers: retry the first connection briefly.
    let echoed: Buffer | undefined;
    for (let attempt = 0; attempt < 40 && !echoed; attempt++) {
      echoed = await echoOnce(nodePort!, payload).catch(async () => {
        await new Promise((r) => setTimeout(r, 50));
        return undefined;
      });
    }
    expect(echoed).toEqual(payload);
  });
});
