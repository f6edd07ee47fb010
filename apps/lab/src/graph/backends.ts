import {
  type Endpoint,
  type EndpointPort,
  type KubernetesObject,
  mapSelector,
  ofKind,
  type Service,
  serviceNameLabel,
} from '@kemu/core';
import { desiredEndpointGroups, managesService } from '../lab/controllers/endpoints-model.js';
import type { Boxes, Selectable } from './boxes.js';
import type { GraphEdge } from './topology.js';

/** Endpoints sharing one port mapping: an EndpointSlice, or what the controller would write in one. */
interface EndpointSet {
  ports?: EndpointPort[] | null;
  endpoints: Endpoint[];
}

/**
 * Arrows from each Service to what serves it. From manifests: the workloads whose pod template the
 * selector matches, labelled with the Service's ports. In a running lab: the pod of each endpoint
 * of the Service's EndpointSlices — what kube-proxy routes to — labelled port→targetPort; where the
 * objects carry no slices for a Service, the slices the EndpointSlice controller would write for the
 * pods (endpoints-model.ts), so both read alike. Ready endpoints get a solid arrow; not-ready and
 * terminating ones, which kube-proxy leaves out of the rotation, a crossed dotted one that says why.
 */
export function addServiceBackends(
  objects: readonly KubernetesObject[],
  backends: readonly Selectable[],
  live: boolean,
  boxes: Boxes,
  edges: GraphEdge[],
): void {
  const slices = new Map<string, EndpointSet[]>();
  for (const slice of ofKind(objects, 'EndpointSlice')) {
    const key = `${slice.metadata.namespace}/${slice.metadata.labels?.[serviceNameLabel]}`;
    slices.set(key, [...(slices.get(key) ?? []), slice]);
  }
  const pods = ofKind(objects, 'Pod');
  for (const service of ofKind(objects, 'Service')) {
    const from = boxes.add(service).id;
    const namespace = service.metadata.namespace;
    if (!live) {
      const selector = mapSelector(service.spec.selector);
      const label = (service.spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
      for (const w of backends) {
        if (service.spec.selector && w.namespace === namespace && selector.matches(w.labels))
          edges.push({ from, to: w.node.id, style: 'traffic', label });
      }
      continue;
    }
    const sets =
      slices.get(`${namespace}/${service.metadata.name}`) ??
      (managesService(service) ? desiredEndpointGroups(service, pods, () => undefined) : []);
    for (const set of sets) {
      const ports = portLabel(service, set.ports ?? []);
      for (const endpoint of set.endpoints) {
        const ref = endpoint.targetRef;
        const pod = ref?.kind === 'Pod' && ref.name ? boxes.ref('Pod', ref.namespace ?? namespace, ref.name) : undefined;
        // An endpoint that is no pod (a manually managed slice to an outside address) has no box to point at.
        if (!pod) continue;
        const state = endpointState(endpoint);
        const label = state ? `${ports} (${state})`.trim() : ports;
        edges.push({ from, to: pod.id, style: state ? 'unready' : 'traffic', label: label || undefined });
      }
    }
  }
}

/** Each slice port as Service port → the pod's port, e.g. `80→8080/TCP` (slice ports carry the Service port's name). */
function portLabel(service: Service, ports: readonly EndpointPort[]): string {
  return ports
    .map((p) => {
      const servicePort = service.spec.ports?.find((s) => (s.name ?? '') === (p.name ?? ''));
      return `${servicePort?.port ?? '?'}→${p.port ?? '?'}/${p.protocol ?? 'TCP'}`;
    })
    .join(', ');
}

/**
 * Why an endpoint takes no new traffic, or undefined when it is ready. EndpointConditions: a null
 * `ready` means ready, and a terminating endpoint is never ready (discovery/v1 types.go).
 */
function endpointState(endpoint: Endpoint): string | undefined {
  if (endpoint.conditions?.terminating === true) return 'terminating';
  if (endpoint.conditions?.ready === false) return 'not ready';
  return undefined;
}
