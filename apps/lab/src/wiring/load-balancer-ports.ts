import net from 'node:net';
import type { Service, ServicePort } from '@kemu/core';
import { wantsLoadBalancer } from '../lab/controllers/service-load-balancer.js';

/**
 * Host ports for LoadBalancer Services, the way kind's cloud provider publishes a load balancer
 * on the host: each port of a Service that has its address (`status.loadBalancer.ingress`) is
 * served on 127.0.0.1 — on the Service's own port when it is unprivileged and free, else on a free
 * one. Writes into the `ns/name:port` map the node proxy reads at every sync.
 */
export class LoadBalancerHostPorts {
  constructor(private readonly ports: Record<string, number>) {}

  /** Adds or drops the host ports of one Service. */
  async update(type: 'upsert' | 'delete', service: Service): Promise<void> {
    const base = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
    // kube-proxy's service port key: `ns/name[:portName]/PROTOCOL` (ServicePortName.String()).
    const keyOf = (port: ServicePort) => `${base}${port.name ? `:${port.name}` : ''}/${port.protocol ?? 'TCP'}`;
    const ownKey = (key: string) => key.startsWith(`${base}:`) || key.startsWith(`${base}/`);
    const served = type === 'upsert' && wantsLoadBalancer(service) && (service.status?.loadBalancer?.ingress ?? []).length > 0;
    const ports = served ? (service.spec.ports ?? []).filter((p) => p.protocol !== 'SCTP') : [];
    const wanted = new Set(ports.map(keyOf));
    for (const key of Object.keys(this.ports)) if (ownKey(key) && !wanted.has(key)) delete this.ports[key];
    for (const port of ports) {
      const key = keyOf(port);
      if (this.ports[key] !== undefined) continue;
      this.ports[key] = await freeHostPort(
        port.port,
        port.protocol === 'UDP' ? 'udp' : 'tcp',
        new Set(Object.values(this.ports)),
      );
    }
  }
}

/** `preferred` on 127.0.0.1 when unprivileged, free and not taken, else a free port. */
async function freeHostPort(preferred: number, protocol: 'tcp' | 'udp', taken: ReadonlySet<number>): Promise<number> {
  if (preferred >= 1024 && !taken.has(preferred) && (await canBind(preferred, protocol))) return preferred;
  for (;;) {
    const port = await bindAny();
    if (!taken.has(port) && (protocol === 'tcp' || (await canBind(port, 'udp')))) return port;
  }
}

function canBind(port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      import('node:dgram').then(({ default: dgram }) => {
        const socket = dgram.createSocket('udp4');
        socket.once('error', () => resolve(false));
        socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
      });
      return;
    }
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function bindAny(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
