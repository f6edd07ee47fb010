import {
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
  ipFamilyOf,
  managedByLabel,
  mapSelector,
  type Node,
  type Pod,
  type Service,
  type ServicePort,
  serviceNameLabel,
} from '@kemu/core';
import { isPodReady, isPodTerminal } from '../pods.js';

// What the EndpointSlice controller wants for one Service, pure
// (pkg/controller/endpointslice and staging/src/k8s.io/endpointslice/reconciler.go, utils.go).

/** The managed-by value of slices this controller owns. */
export const controllerName = 'endpointslice-controller.k8s.io';
/** Upstream's --max-endpoints-per-slice default. */
export const maxEndpointsPerSlice = 100;
const zoneLabel = 'topology.kubernetes.io/zone';

/** Endpoints that share one port mapping: they go into the same slices. */
export interface EndpointGroup {
  addressType: 'IPv4' | 'IPv6';
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/** Whether the controller manages slices for this Service (a selector, not ExternalName). */
export function managesService(service: Service): boolean {
  return service.spec.type !== 'ExternalName' && Object.keys(service.spec.selector ?? {}).length > 0;
}

/**
 * The endpoints of a Service grouped by port mapping and address type, each group's endpoints
 * sorted by pod name (stable slices).
 */
export function desiredEndpointGroups(
  service: Service,
  pods: readonly Pod[],
  nodeOf: (name: string) => Node | undefined,
): EndpointGroup[] {
  const selector = mapSelector(service.spec.selector);
  const groups = new Map<string, EndpointGroup>();
  const selected = pods
    .filter((p) => p.metadata.namespace === service.metadata.namespace && selector.matches(p.metadata.labels))
    // ShouldPodBeInEndpoints: not terminal, has an IP (terminating pods are kept, with conditions).
    .filter((p) => !isPodTerminal(p) && Boolean(p.status?.podIP))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const pod of selected) {
    const ports = endpointPorts(service, pod);
    const ip = pod.status!.podIP!;
    const addressType = ipFamilyOf(ip) === 'IPv6' ? 'IPv6' : 'IPv4';
    const key = `${addressType}|${JSON.stringify(ports)}`;
    let group = groups.get(key);
    if (!group) {
      group = { addressType, ports, endpoints: [] };
      groups.set(key, group);
    }
    group.endpoints.push(podToEndpoint(pod, service, nodeOf(pod.spec.nodeName ?? ''), ip));
  }
  if (service.spec.trafficDistribution === 'PreferClose') for (const group of groups.values()) addZoneHints(group.endpoints);
  return [...groups.values()];
}

/** The slice ports for one pod: each Service port with its targetPort resolved (podutil.FindPort). */
export function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const servicePort of service.spec.ports ?? []) {
    const port = findPort(pod, servicePort);
    // A named targetPort the pod does not declare: the port is left out for this pod (upstream logs and skips it).
    if (port === undefined) continue;
    const entry: EndpointPort = { name: servicePort.name ?? '', port, protocol: servicePort.protocol ?? 'TCP' };
    if (servicePort.appProtocol) entry.appProtocol = servicePort.appProtocol;
    ports.push(entry);
  }
  return ports;
}

/** podutil.FindPort: a number is used as is; a name is looked up among the containers' ports with the same protocol. */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec.containers) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

/** utils.go podToEndpoint: conditions, targetRef, nodeName, zone, hostname. */
export function podToEndpoint(pod: Pod, service: Service, node: Node | undefined, ip: string): Endpoint {
  const publish = service.spec.publishNotReadyAddresses === true;
  const serving = publish || isPodReady(pod);
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  // "ready" is never true for a terminating pod unless publishNotReadyAddresses is set.
  const ready = publish || (serving && !terminating);
  const endpoint: Endpoint = {
    addresses: [ip],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec.nodeName) endpoint.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[zoneLabel];
  if (zone) endpoint.zone = zone;
  // ShouldSetHostname: the pod's hostname when its subdomain names this Service.
  if (pod.spec.hostname && pod.spec.subdomain === service.metadata.name) endpoint.hostname = pod.spec.hostname;
  return endpoint;
}

/** trafficDistribution PreferClose: each endpoint hints its own zone, only when every endpoint has one. */
function addZoneHints(endpoints: Endpoint[]): void {
  if (endpoints.some((e) => !e.zone)) return;
  for (const endpoint of endpoints) endpoint.hints = { forZones: [{ name: endpoint.zone! }] };
}

/** Labels of a managed slice: the Service's labels plus the two the controller owns (utils.go setEndpointSliceLabels). */
export function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...service.metadata.labels };
  delete labels['service.kubernetes.io/headless'];
  if (service.spec.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  labels[serviceNameLabel] = service.metadata.name;
  labels[managedByLabel] = controllerName;
  return labels;
}

/** Splits a group into slice bodies of at most `max` endpoints. */
export function chunk(
  group: EndpointGroup,
  max = maxEndpointsPerSlice,
): Pick<EndpointSlice, 'addressType' | 'ports' | 'endpoints'>[] {
  const out: Pick<EndpointSlice, 'addressType' | 'ports' | 'endpoints'>[] = [];
  for (let i = 0; i < group.endpoints.length; i += max) {
    out.push({ addressType: group.addressType, ports: group.ports, endpoints: group.endpoints.slice(i, i + max) });
  }
  return out;
}
