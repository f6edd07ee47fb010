// The userspace L4 proxy over real loopback sockets.
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { EndpointSlice, KubernetesObject, Service } from '@kemu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendUnreachableError, Proxier } from '../src/index.js';
import { NodeProxy, UdpFlowTable } from '../src/proxy/index.js';
import { freePort, readUntil, tcpBackend, udpBackend } from './helpers/servers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function service(name: string, spec: Partial<Service['spec']>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { clusterIP: '10.96.0.10', ...spec },
  };
}

function slice(
  service: string,
  endpoints: { ip: string; ready?: boolean; serving?: boolean; terminating?: boolean }[],
  protocol: 'TCP' | 'UDP' = 'TCP',
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? e.serving ?? true, serving: e.serving ?? true, terminating: e.terminating ?? false },
    })),
    ports: [{ name: 'p', port: 8080, protocol }],
  };
}

/** Virtual endpoint IP → real loopback port. */
function resolver(map: Record<string, number>) {
  return (ep: { ip: string }) => (map[ep.ip] === undefined ? undefined : { host: '127.0.0.1', port: map[ep.ip] as number });
}

async function start(
  objects: KubernetesObject[],
  map: Record<string, number>,
  extra: Partial<Parameters<typeof NodeProxy.start>[0]> = {},
) {
  const proxier = Proxier.from(objects, { nodeName: 'node-1', clusterCIDR: '10.244.0.0/16' });
  const proxy = await NodeProxy.start({ proxier, resolve: resolver(map), ...extra });
  cleanups.push(() => proxy.close());
  return proxy;
}

/** A UDP client on one source port (one flow): `ask` sends a datagram and resolves with the reply. */
async function udpClient(): Promise<{ ask: (text: string, port: number) => Promise<string> }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
  return {
    ask: (text, port) =>
      new Promise((resolve) => {
        socket.once('message', (m) => resolve(m.toString()));
        socket.send(text, port, '127.0.0.1');
      }),
  };
}

/**
 * A UDP NodePort Service `dns` with endpoint A (10.244.1.1, answering `a:`), B (10.244.1.2, `b:`)
 * listening but not yet in the slice, and a client whose flow went to A.
 */
async function flowPinnedToA() {
  const a = await udpBackend('a');
  const b = await udpBackend('b');
  cleanups.push(a.close, b.close);
  const nodePort = await freePort();
  const dns = service('dns', { type: 'NodePort', ports: [{ name: 'p', port: 53, protocol: 'UDP', nodePort }] });
  const proxy = await start([dns, slice('dns', [{ ip: '10.244.1.1' }], 'UDP')], { '10.244.1.1': a.port, '10.244.1.2': b.port });
  const client = await udpClient();
  expect(await client.ask('one', nodePort)).toBe('a:one');
  return { proxy, client, nodePort };
}

function connectTo(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  });
}

describe('NodePort TCP', () => {
  it('proxies 127.0.0.1:<nodePort> to an endpoint, full duplex with half-close', async () => {
    const a = await tcpBackend('a');
    cleanups.push(a.close);
    const nodePort = await freePort();
    const proxy = await start(
      [service('web', { type: 'NodePort', ports: [{ name: 'p', port: 80, nodePort }] }), slice('web', [{ ip: '10.244.1.1' }])],
      { '10.244.1.1': a.port },
    );
    expect(proxy.listeners()).toEqual([
      { kind: 'nodePort', servicePort: 'default/web:p/TCP', protocol: 'TCP', host: '127.0.0.1', port: nodePort },
    ]);
    const client = await connectTo(nodePort);
    const received = readUntil(client, () => false);
    client.write('hello');
    client.end(); // half-close: the echo still comes back, then the backend's FIN.
    expect(await received).toBe('a\nhello');
  });

  it('moves 8 MiB intact through the proxy (backpressure on both sides)', async () => {
    const a = await tcpBackend('a');
    cleanups.push(a.close);
    const nodePort = await freePort();
    await start(
      [service('web', { type: 'NodePort', ports: [{ name: 'p', port: 80, nodePort }] }), slice('web', [{ ip: '10.244.1.1' }])],
      {
        '10.244.1.1': a.port,
      },
    );
    const payload = randomBytes(8 * 1024 * 1024);
    const client = await connectTo(nodePort);
    const chunks: Buffer[] = [];
    const done = new Promise<void>((r) => client.on('end', () => r()));
    client.on('data', (c: Buffer) => chunks.push(c));
    client.end(payload);
    await done;
    const body = Buffer.concat(chunks).subarray(2);
    expect(body.length).toBe(payload.length);
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
  });

  it('tries the next endpoint when one refuses the connection', async () => {
    const b = await tcpBackend('b');
    cleanups.push(b.close);
    const dead = await freePort();
    const nodePort = await freePort();
    await start(
      [
        service('web', { type: 'NodePort', ports: [{ name: 'p', port: 80, nodePort }] }),
        slice('web', [{ ip: '10.244.1.1' }, { ip: '10.244.1.2' }]),
      ],
      { '10.244.1.1': dead, '10.244.1.2': b.port },
    );
    for (let i = 0; i < 6; i++) {
      const client = await connectTo(nodePort);
      expect(await readUntil(client, (t) => t.includes('\n'))).toBe('b\n');
      client.destroy();
    }
  });

  it('passes a backend reset to the client as a reset', async () => {
    const r = await tcpBackend('r', 'reset');
    cleanups.push(r.close);
    const nodePort = await freePort();
    await start(
      [service('web', { type: 'NodePort', ports: [{ name: 'p', port: 80, nodePort }] }), slice('web', [{ ip: '10.244.1.1' }])],
      {
        '10.244.1.1': r.port,
      },
    );
    const client = await connectTo(nodePort);
    const outcome = new Promise<string>((resolve) => {
      client.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      client.once('close', () => resolve('closed'));
    });
    client.write('x');
    expect(await outcome).toBe('ECONNRESET');
  });
});

describe('pod egress (connect)', () => {
  it('rejects with BackendUnreachableError when every endpoint refuses', async () => {
    const proxy = await start([service('web', { ports: [{ name: 'p', port: 80 }] }), slice('web', [{ ip: '10.244.1.1' }])], {
      '10.244.1.1': await freePort(),
    });
    await expect(proxy.connect('10.96.0.10', 80, { ip: '10.244.2.2' })).rejects.toBeInstanceOf(BackendUnreachableError);
  });

  it('keeps an existing connection when its endpoint starts terminating; new ones go elsewhere', async () => {
    const a = await tcpBackend('a');
    const b = await tcpBackend('b');
    cleanups.push(a.close, b.close);
    const proxy = await start([service('web', { ports: [{ name: 'p', port: 80 }] }), slice('web', [{ ip: '10.244.1.1' }])], {
      '10.244.1.1': a.port,
      '10.244.1.2': b.port,
    });
    const first = await proxy.connect('10.96.0.10', 80, { ip: '10.244.2.2' });
    expect(await readUntil(first, (t) => t.includes('\n'))).toBe('a\n');
    await proxy.apply({
      type: 'upsert',
      object: slice('web', [{ ip: '10.244.1.1', ready: false, terminating: true }, { ip: '10.244.1.2' }]),
    });
    const second = await proxy.connect('10.96.0.10', 80, { ip: '10.244.2.2' });
    expect(await readUntil(second, (t) => t.includes('\n'))).toBe('b\n');
    const echoed = readUntil(first, (t) => t === 'still here');
    first.write('still here');
    expect(await echoed).toBe('still here');
    first.destroy();
    second.destroy();
  });

  it('honours ClientIP affinity across connections', async () => {
    const backends = await Promise.all(['a', 'b', 'c'].map((n) => tcpBackend(n)));
    for (const b of backends) cleanups.push(b.close);
    const proxy = await start(
      [
        service('web', { sessionAffinity: 'ClientIP', ports: [{ name: 'p', port: 80 }] }),
        slice('web', [{ ip: '10.244.1.1' }, { ip: '10.244.1.2' }, { ip: '10.244.1.3' }]),
      ],
      { '10.244.1.1': backends[0]?.port ?? 0, '10.244.1.2': backends[1]?.port ?? 0, '10.244.1.3': backends[2]?.port ?? 0 },
    );
    const names = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const s = await proxy.connect('10.96.0.10', 80, { ip: '10.244.7.7' });
      names.add(await readUntil(s, (t) => t.includes('\n')));
      s.destroy();
    }
    expect(names.size).toBe(1);
  });

  it('serves a LoadBalancer Service on its configured host port', async () => {
    const a = await tcpBackend('a');
    cleanups.push(a.close);
    const hostPort = await freePort();
    const lb: Service = {
      ...service('lb', { type: 'LoadBalancer', ports: [{ name: 'p', port: 80 }] }),
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
    };
    await start(
      [lb, slice('lb', [{ ip: '10.244.1.1' }])],
      { '10.244.1.1': a.port },
      { loadBalancerPorts: { 'default/lb:p': hostPort } },
    );
    const client = await connectTo(hostPort);
    expect(await readUntil(client, (t) => t.includes('\n'))).toBe('a\n');
    client.destroy();
  });
});

describe('UDP', () => {
  it('forwards datagrams through a NodePort and routes replies back to the client', async () => {
    const u = await udpBackend('u');
    cleanups.push(u.close);
    const nodePort = await freePort();
    await start(
      [
        service('dns', { type: 'NodePort', ports: [{ name: 'p', port: 53, protocol: 'UDP', nodePort }] }),
        slice('dns', [{ ip: '10.244.1.1' }], 'UDP'),
      ],
      { '10.244.1.1': u.port },
    );
    const client = dgram.createSocket('udp4');
    cleanups.push(() => new Promise<void>((r) => client.close(() => r())));
    const reply = new Promise<string>((r) => client.once('message', (m) => r(m.toString())));
    client.send('ping', nodePort, '127.0.0.1');
    expect(await reply).toBe('u:ping');
  });

  it('moves a flow to another endpoint on the very next datagram once its endpoint leaves the EndpointSlice', async () => {
    // pkg/proxy/conntrack/cleanup.go: the entries DNATed to a removed UDP endpoint are deleted, so
    // the client's next datagram meets the rules again. A still answers: no refusal moves the flow.
    const { proxy, client, nodePort } = await flowPinnedToA();
    await proxy.apply({ type: 'upsert', object: slice('dns', [{ ip: '10.244.1.1' }, { ip: '10.244.1.2' }], 'UDP') });
    expect(await client.ask('two', nodePort)).toBe('a:two');
    const result = await proxy.apply({ type: 'upsert', object: slice('dns', [{ ip: '10.244.1.2' }], 'UDP') });
    expect(result.staleConntrack.map((e) => `${e.reason} ${e.frontend}`)).toEqual([
      'endpoint-removed clusterIP',
      'endpoint-removed nodePort',
    ]);
    expect(await client.ask('three', nodePort)).toBe('b:three');
  });

  it('moves a flow off an endpoint that stops serving though it is still listed and listening', async () => {
    // detectStaleConntrackEntries: serving → not serving counts as a deleted endpoint.
    const { proxy, client, nodePort } = await flowPinnedToA();
    await proxy.apply({
      type: 'upsert',
      object: slice('dns', [{ ip: '10.244.1.1', serving: false }, { ip: '10.244.1.2' }], 'UDP'),
    });
    expect(await client.ask('two', nodePort)).toBe('b:two');
  });

  it('closes the flows forget picks, and the client’s next datagram starts a new flow', async () => {
    const u = await udpBackend('u');
    cleanups.push(u.close);
    const listener = dgram.createSocket('udp4');
    await new Promise<void>((r) => listener.bind(0, '127.0.0.1', () => r()));
    let picks = 0;
    const table = new UdpFlowTable(listener, {
      pick: () => ({ host: '127.0.0.1', port: u.port, endpoint: `u${++picks}` }),
    });
    cleanups.push(() => {
      table.close();
      return new Promise<void>((r) => listener.close(() => r()));
    });
    const client = await udpClient();
    expect(await client.ask('x', listener.address().port)).toBe('u:x');
    expect(table.forget((flow) => flow.endpoint === 'u1')).toBe(1);
    expect(table.size).toBe(0);
    expect(await client.ask('y', listener.address().port)).toBe('u:y');
    expect([table.size, picks]).toEqual([1, 2]);
  });

  it('forgets a flow after its idle timeout', async () => {
    const u = await udpBackend('u');
    cleanups.push(u.close);
    const listener = dgram.createSocket('udp4');
    await new Promise<void>((r) => listener.bind(0, '127.0.0.1', () => r()));
    const table = new UdpFlowTable(listener, {
      idleTimeoutMs: 100,
      pick: () => ({ host: '127.0.0.1', port: u.port, endpoint: 'u' }),
    });
    cleanups.push(() => {
      table.close();
      return new Promise<void>((r) => listener.close(() => r()));
    });
    const client = dgram.createSocket('udp4');
    cleanups.push(() => new Promise<void>((r) => client.close(() => r())));
    const reply = new Promise<void>((r) => client.once('message', () => r()));
    client.send('x', listener.address().port, '127.0.0.1');
    await reply;
    expect(table.size).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(table.size).toBe(0);
  });
});

describe('health-check node port', () => {
  it('answers 503 without local endpoints and 200 once one is local (pkg/proxy/healthcheck)', async () => {
    const hcPort = await freePort();
    const nodePort = await freePort();
    const lb: Service = {
      ...service('lb', {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: hcPort,
        ports: [{ name: 'p', port: 80, nodePort }],
      }),
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
    };
    const proxy = await start([lb, slice('lb', [{ ip: '10.244.1.1' }])], {});
    let res = await fetch(`http://127.0.0.1:${hcPort}/`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      service: { namespace: 'default', name: 'lb' },
      localEndpoints: 0,
      serviceProxyHealthy: true,
    });
    const local = slice('lb', [{ ip: '10.244.1.1' }]);
    (local.endpoints[0] as { nodeName?: string }).nodeName = 'node-1';
    await proxy.apply({ type: 'upsert', object: local });
    res = await fetch(`http://127.0.0.1:${hcPort}/`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { localEndpoints: number }).localEndpoints).toBe(1);
  });
});
