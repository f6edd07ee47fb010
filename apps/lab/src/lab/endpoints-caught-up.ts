import type { EndpointSlice, Pod, Service } from '@kemu/core';
import type { Lab } from './lab.js';
import { isPodReady } from './pods.js';

/**
 * True when every Ready, running pod a Service selects is a ready endpoint in that Service's EndpointSlices. Pods turn Ready before
 * the EndpointSlice controller's write comes back through the watch (endpointslice_controller.go
 * syncs from its own informer), so "every pod Ready" alone would let a test's first request meet
 * an ingress with no endpoints yet.
 */
export function endpointsCaughtUp(lab: Lab): boolean {
  const slices = lab.informers.for<EndpointSlice>('EndpointSlice').list();
  const readyInSlices = new Set<string>();
  for (const slice of slices) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    for (const endpoint of slice.endpoints ?? [])
      if (endpoint.conditions?.ready === true && endpoint.targetRef?.kind === 'Pod')
        readyInSlices.add(`${slice.metadata.namespace ?? 'default'}/${service}/${endpoint.targetRef.name}`);
  }
  const pods = lab.informers
    .for<Pod>('Pod')
    .list()
    .filter((p) => !p.metadata.deletionTimestamp && isPodReady(p));
  for (const service of lab.informers.for<Service>('Service').list()) {
    const selector = service.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) continue;
    const namespace = service.metadata.namespace ?? 'default';
    for (const pod of pods) {
      if ((pod.metadata.namespace ?? 'default') !== namespace) continue;
      if (!Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v)) continue;
      if (!readyInSlices.has(`${namespace}/${service.metadata.name}/${pod.metadata.name}`)) return false;
    }
  }
  return true;
}
