import {
  type EndpointSlice,
  keyOf,
  managedByLabel,
  mapSelector,
  type Node,
  type Pod,
  type Service,
  serviceNameLabel,
} from '@kemu/core';
import { controllerRef, ignoreNotFound, randomSuffix } from '../pods.js';
import { Controller, type ControllerContext, nsKey, splitKey } from './controller.js';
import { chunk, controllerName, desiredEndpointGroups, managesService, sliceLabels } from './endpoints-model.js';

type SliceBody = Pick<EndpointSlice, 'addressType' | 'ports' | 'endpoints'>;

/**
 * The EndpointSlice controller: for every Service with a selector, slices named
 * `<service>-<random>` listing the selected pods with ready/serving/terminating conditions,
 * resolved target ports, node and zone; at most 100 endpoints per slice. Existing slices are
 * updated in place, extra ones deleted, and a Service with no pods keeps one empty placeholder.
 */
export class EndpointSliceController extends Controller {
  constructor(
    ctx: ControllerContext,
    /** Pod changes within this period make one update (--endpoint-updates-batch-period). */
    private readonly batchMs = 20,
  ) {
    super('endpointslice-controller', ctx);
  }

  start(): void {
    const services = this.ctx.informers.for<Service>('Service');
    services.on((_t, service) => this.queue.add(nsKey(service.metadata.namespace, service.metadata.name)));
    this.ctx.informers.for<Pod>('Pod').on((_t, pod, previous) => {
      for (const service of services.list((s) => s.metadata.namespace === pod.metadata.namespace)) {
        const selector = mapSelector(service.spec.selector);
        if (selector.matches(pod.metadata.labels) || (previous && selector.matches(previous.metadata.labels))) {
          this.queue.addBatched(nsKey(service.metadata.namespace, service.metadata.name), this.batchMs);
        }
      }
    });
    this.ctx.informers.for<Node>('Node').on((type, node, previous) => {
      const zone = (n?: Node) => n?.metadata.labels?.['topology.kubernetes.io/zone'];
      if (type === 'MODIFIED' && zone(node) === zone(previous)) return;
      for (const service of services.list()) this.queue.add(nsKey(service.metadata.namespace, service.metadata.name));
    });
    this.ctx.informers.for<EndpointSlice>('EndpointSlice').on((_t, slice) => {
      // A managed slice changed by someone else is put back.
      if (slice.metadata.labels?.[managedByLabel] !== controllerName) return;
      const service = slice.metadata.labels?.[serviceNameLabel];
      if (service) this.queue.add(nsKey(slice.metadata.namespace, service));
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const store = this.ctx.store;
    const service = this.ctx.informers.for<Service>('Service').get(namespace, name);
    const existing = (
      await store.list<EndpointSlice>('EndpointSlice', {
        namespace,
        labelSelector: `${serviceNameLabel}=${name},${managedByLabel}=${controllerName}`,
      })
    ).items;
    if (!service || !managesService(service)) {
      // Service gone or without selector: its managed slices go (the garbage collector's job upstream).
      await Promise.all(existing.map((s) => ignoreNotFound(store.delete(keyOf(s)))));
      return;
    }
    const nodes = this.ctx.informers.for<Node>('Node');
    const pods = this.ctx.informers.for<Pod>('Pod').list((p) => p.metadata.namespace === namespace);
    const groups = desiredEndpointGroups(service, pods, (node) => nodes.get(undefined, node));
    const bodies: SliceBody[] = groups.flatMap((g) => chunk(g));
    if (bodies.length === 0) bodies.push({ addressType: 'IPv4', ports: [], endpoints: [] });
    const labels = sliceLabels(service);

    const unused = [...existing];
    for (const body of bodies) {
      const shape = JSON.stringify([body.addressType, body.ports]);
      const index = unused.findIndex((s) => JSON.stringify([s.addressType, s.ports ?? []]) === shape);
      if (index >= 0) {
        const slice = unused.splice(index, 1)[0]!;
        if (
          JSON.stringify(slice.endpoints) === JSON.stringify(body.endpoints) &&
          JSON.stringify(slice.metadata.labels) === JSON.stringify(labels)
        )
          continue;
        await store.update({ ...slice, ...body, metadata: { ...slice.metadata, labels } });
      } else {
        await store.create<EndpointSlice>({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `${service.metadata.name.slice(0, 57)}-${randomSuffix()}`,
            generateName: `${service.metadata.name}-`,
            namespace,
            labels,
            ownerReferences: [controllerRef(service)],
          },
          ...body,
        });
      }
    }
    await Promise.all(unused.map((s) => ignoreNotFound(store.delete(keyOf(s), { resourceVersion: s.metadata.resourceVersion }))));
  }
}
