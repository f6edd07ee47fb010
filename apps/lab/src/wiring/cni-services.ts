import type { ServiceResolver } from '@kemu/cni/agent';
import type { EndpointSlice, Service } from '@kemu/core';
import type { InformerFactory } from '../lab/informer.js';

/**
 * The agents' ClusterIP hook from the lab's Services and EndpointSlices: a connection to
 * `clusterIP:port` goes to a ready endpoint of that Service port (round-robin), so the
 * NetworkPolicy of the chosen pod is judged on the real destination, as with kube-proxy's DNAT
 * before the CNI's filter.
 */
export class ServiceEndpoints {
  private informers: InformerFactory | undefined;
  private turn = 0;

  /** Starts following the informers. */
  follow(informers: InformerFactory): void {
    this.informers = informers;
    informers.for('Service');
    informers.for('EndpointSlice');
  }

  /** The {@link ServiceResolver} the agents call per new connection. */
  readonly resolve: ServiceResolver = (dst) => {
    if (!this.informers) return undefined;
    const [service] = this.informers
      .for<Service>('Service')
      .list((s) => s.spec.clusterIP === dst.ip || (s.spec.clusterIPs ?? []).includes(dst.ip));
    if (!service) return undefined;
    const servicePort = service.spec.ports?.find((p) => p.port === dst.port && (p.protocol ?? 'TCP') === dst.protocol);
    if (!servicePort) return undefined;
    const candidates: { ip: string; port: number }[] = [];
    const slices = this.informers
      .for<EndpointSlice>('EndpointSlice')
      .list(
        (s) =>
          s.metadata.namespace === service.metadata.namespace &&
          s.metadata.labels?.['kubernetes.io/service-name'] === service.metadata.name,
      );
    for (const slice of slices) {
      // EndpointSlice ports carry the Service port's name, already resolved to a number.
      const port = slice.ports?.find((p) => (p.name ?? '') === (servicePort.name ?? ''))?.port;
      if (port == null) continue;
      for (const endpoint of slice.endpoints) {
        if (endpoint.conditions?.ready === false) continue;
        for (const ip of endpoint.addresses.slice(0, 1)) candidates.push({ ip, port });
      }
    }
    if (candidates.length === 0) return undefined;
    return candidates[this.turn++ % candidates.length];
  };
}
