import { type Service, updateWithRetry } from '@kemu/core';
import { ignoreNotFound } from '../pods.js';
import { Controller, type ControllerContext, nsKey, splitKey } from './controller.js';

/**
 * The addresses the lab hands to LoadBalancer Services: the range the kind documentation gives
 * MetalLB on kind's docker network (172.18.255.200–172.18.255.250). Virtual: nothing connects to
 * them; the lab serves each LoadBalancer port on a host port of 127.0.0.1 instead.
 */
export const loadBalancerPool = { prefix: '172.18.255.', first: 200, last: 250 } as const;

/** The first free address of the pool, or the requested one (spec.loadBalancerIP) when it is in the pool and free. */
export function assignLoadBalancerIP(used: ReadonlySet<string>, requested?: string): string | undefined {
  const inPool = (ip: string) => {
    if (!ip.startsWith(loadBalancerPool.prefix)) return false;
    const last = Number(ip.slice(loadBalancerPool.prefix.length));
    return Number.isInteger(last) && last >= loadBalancerPool.first && last <= loadBalancerPool.last;
  };
  if (requested && inPool(requested) && !used.has(requested)) return requested;
  for (let n = loadBalancerPool.first; n <= loadBalancerPool.last; n++) {
    const ip = `${loadBalancerPool.prefix}${n}`;
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** Whether the lab's load-balancer provider serves this Service (type LoadBalancer, no other loadBalancerClass). */
export function wantsLoadBalancer(service: Service): boolean {
  // A Service naming a loadBalancerClass is left to that implementation (KEP-1959; the cloud
  // controller manager's service controller skips it).
  return service.spec.type === 'LoadBalancer' && !service.spec.loadBalancerClass;
}

/**
 * The cloud controller manager's service controller with a kind-style provider
 * (cloud-provider-kind, MetalLB): gives each LoadBalancer Service an address from
 * {@link loadBalancerPool} in `status.loadBalancer.ingress` (ipMode VIP), and clears it when the
 * Service stops being a LoadBalancer. Keys are `namespace/name`.
 */
export class ServiceLoadBalancerController extends Controller {
  constructor(ctx: ControllerContext) {
    super('service-load-balancer', ctx, 1);
  }

  start(): void {
    this.ctx.informers.for<Service>('Service').on((type, service) => {
      if (type !== 'DELETED') this.queue.add(nsKey(service.metadata.namespace, service.metadata.name));
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const services = this.ctx.informers.for<Service>('Service');
    const service = services.get(namespace, name);
    if (!service) return;
    const held = service.status?.loadBalancer?.ingress ?? [];
    if (!wantsLoadBalancer(service)) {
      if (held.length === 0 || service.spec.loadBalancerClass) return;
      await this.writeIngress(namespace, name, undefined);
      return;
    }
    if (held.some((i) => i.ip)) return;
    const used = new Set(
      services.list().flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip)),
    );
    const ip = assignLoadBalancerIP(used, service.spec.loadBalancerIP);
    if (!ip) {
      this.ctx.log(
        `service ${key}: no LoadBalancer address left in ${loadBalancerPool.prefix}${loadBalancerPool.first}-${loadBalancerPool.last}; it stays <pending>`,
      );
      return;
    }
    await this.writeIngress(namespace, name, ip);
  }

  private async writeIngress(namespace: string, name: string, ip: string | undefined): Promise<void> {
    await ignoreNotFound(
      updateWithRetry<Service>(this.ctx.store, { kind: 'Service', namespace, name }, (current) => {
        const ingress = ip ? [{ ip, ipMode: 'VIP' as const }] : [];
        if (JSON.stringify(current.status?.loadBalancer?.ingress ?? []) === JSON.stringify(ingress)) return undefined;
        current.status = { ...current.status, loadBalancer: ip ? { ingress } : {} };
        return current;
      }),
    );
  }
}
