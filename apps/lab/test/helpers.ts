import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { type KubernetesObject, type Node, parseManifestsOrThrow, type Store } from '@kemu/core';

/** Waits until `check` returns a truthy value (polling), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** GET over a fresh connection (no keep-alive) to 127.0.0.1. */
export function httpGet(
  port: number,
  path = '/',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

/** Sends raw bytes over TCP and resolves with what comes back once `expected` bytes arrived. */
export function tcpRoundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(payload));
    let got = '';
    socket.on('data', (chunk) => {
      got += chunk.toString();
      if (got.length >= payload.length) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
  });
}

/** Sends one UDP datagram and resolves with the reply. */
export function udpRoundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (message) => {
      socket.close();
      resolve(message.toString());
    });
    socket.on('error', reject);
    socket.send(payload, port, '127.0.0.1');
  });
}

/** Creates every object of a YAML text in the store (defaults applied). */
export async function createAll(store: Store, yaml: string): Promise<KubernetesObject[]> {
  const created: KubernetesObject[] = [];
  for (const object of parseManifestsOrThrow(yaml)) created.push(await store.create(object));
  return created;
}

/** A Node as the lab creates it. */
export function testNode(name: string, index: number, zone = 'zone-a'): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } },
    spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`] },
    status: { addresses: [{ type: 'InternalIP', address: `172.18.0.${index + 2}` }] },
  };
}
