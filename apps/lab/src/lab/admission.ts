import { applyDefaults, type KubernetesObject, parseCIDR, type Service, type Store } from '@kemu/core';
import { InvalidObjectError } from './errors.js';

/** Options of {@link Admission}. */
export interface AdmissionOptions {
  /** --service-cluster-ip-range; default 10.96.0.0/12 (kubeadm). */
  serviceCIDR?: string;
  /** --service-node-port-range; default 30000-32767. */
  nodePortRange?: [number, number];
}

/**
 * What the API server does to an object before storing it: defaults, and for Services a cluster
 * IP from the service range and node ports from the node-port range, each claimed in the store so
 * two API servers on one Redis never hand out the same one (registry/core/service/ipallocator,
 * portallocator).
 */
export class Admission {
  private readonly serviceCIDR;
  private readonly nodePorts: [number, number];

  constructor(
    private readonly store: Store,
    options: AdmissionOptions = {},
  ) {
    this.serviceCIDR = parseCIDR(options.serviceCIDR ?? '10.96.0.0/12');
    this.nodePorts = options.nodePortRange ?? [30000, 32767];
  }

  /** Defaults and allocations for a create; `current` is the stored object on an update. */
  async admit<T extends KubernetesObject>(object: T, current?: T): Promise<T> {
    const copy = structuredClone(object);
    applyDefaults(copy as unknown as Record<string, unknown>);
    if (copy.kind === 'Service')
      await this.allocateService(copy as unknown as Service, current as unknown as Service | undefined);
    return copy;
  }

  /** Frees a deleted Service's cluster IP and node ports. */
  async release(object: KubernetesObject): Promise<void> {
    if (object.kind !== 'Service') return;
    const service = object as Service;
    const holder = holderOf(service);
    const ip = service.spec.clusterIP;
    if (ip && ip !== 'None') await this.store.release(`kemu/clusterip/${ip}`, holder);
    for (const port of service.spec.ports ?? [])
      if (port.nodePort) await this.store.release(`kemu/nodeport/${port.nodePort}`, holder);
  }

  private async allocateService(service: Service, current: Service | undefined): Promise<void> {
    const spec = service.spec;
    const ref = `Service "${service.metadata.name}"`;
    // clusterIP is immutable: an update keeps the one allocated on create.
    if (current?.spec.clusterIP && !spec.clusterIP) spec.clusterIP = current.spec.clusterIP;
    if (spec.type !== 'ExternalName' && !spec.clusterIP) spec.clusterIP = await this.allocateIP(holderOf(service));
    else if (spec.clusterIP && spec.clusterIP !== 'None' && spec.clusterIP !== current?.spec.clusterIP) {
      const ip = parseCIDR(`${spec.clusterIP}/32`).first;
      if (!this.serviceCIDR.contains(ip)) {
        throw new InvalidObjectError(
          ref,
          'spec.clusterIPs',
          `Invalid value: "${spec.clusterIP}": provided IP is not in the valid range. The range of valid IPs is ${this.serviceCIDR.toString()}`,
        );
      }
      const claim = await this.store.claim(`kemu/clusterip/${spec.clusterIP}`, holderOf(service));
      if (!claim.claimed)
        throw new InvalidObjectError(
          ref,
          'spec.clusterIPs',
          `Invalid value: "${spec.clusterIP}": provided IP is already allocated`,
        );
    }
    if (spec.clusterIP && spec.clusterIP !== 'None') spec.clusterIPs = [spec.clusterIP];
    if (spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false)) {
      for (const port of spec.ports ?? []) {
        const previous = current?.spec.ports?.find(
          (p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
        );
        if (!port.nodePort && previous?.nodePort) port.nodePort = previous.nodePort;
        if (port.nodePort && port.nodePort === previous?.nodePort) continue;
        if (port.nodePort) {
          const claim = await this.store.claim(`kemu/nodeport/${port.nodePort}`, holderOf(service));
          if (!claim.claimed)
            throw new InvalidObjectError(
              ref,
              'spec.ports[].nodePort',
              `Invalid value: ${port.nodePort}: provided port is already allocated`,
            );
        } else {
          port.nodePort = await this.allocateNodePort(holderOf(service));
        }
      }
    }
  }

  private async allocateIP(holder: string): Promise<string> {
    // Offsets 1 (kubernetes) and 10 (cluster DNS, kubeadm) are left for those Services.
    const size = Number(this.serviceCIDR.size > 65536n ? 65536n : this.serviceCIDR.size);
    for (let attempt = 0; attempt < 256; attempt++) {
      const offset = 11 + Math.floor(Math.random() * (size - 12));
      const ip = this.serviceCIDR.at(offset).toString();
      if ((await this.store.claim(`kemu/clusterip/${ip}`, holder)).claimed) return ip;
    }
    throw new InvalidObjectError('Service', 'spec.clusterIP', 'no free cluster IP left in the service range');
  }

  private async allocateNodePort(holder: string): Promise<number> {
    const [low, high] = this.nodePorts;
    for (let attempt = 0; attempt < 1024; attempt++) {
      const port = low + Math.floor(Math.random() * (high - low + 1));
      if ((await this.store.claim(`kemu/nodeport/${port}`, holder)).claimed) return port;
    }
    throw new InvalidObjectError('Service', 'spec.ports[].nodePort', 'no free node port left in the range');
  }
}

function holderOf(service: Service): string {
  return `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
}
