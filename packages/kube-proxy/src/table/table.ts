// The service table: Services + EndpointSlices → service ports and their endpoints, kept
// incrementally per Service the way kube-proxy's ServiceChangeTracker / EndpointsChangeTracker do.
import type { EndpointSlice, IPFamily, KubernetesObject, Service } from '@kemu/core';
import { NodePortConflictError } from '../errors.js';
import { endpointsForPort, readEndpoints, sliceOwnerKey } from './endpoints.js';
import { readServicePorts, skipReason } from './service-port.js';
import type { EndpointInfo, ServicePortInfo, ServicePortState, TableWarning } from './types.js';

/**
 * Orders service ports by `namespace/name` first (as upstream's test sort orders rules by the
 * service name in their comment), then port name and protocol.
 */
export function compareServicePorts(a: ServicePortInfo, b: ServicePortInfo): number {
  const sa = `${a.namespace}/${a.name}`;
  const sb = `${b.namespace}/${b.name}`;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (a.portName !== b.portName) return a.portName < b.portName ? -1 : 1;
  return a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0;
}

/** Options of {@link ServiceTable}. */
export interface ServiceTableOptions {
  /** IP family of this proxier (kube-proxy runs one per family). Default IPv4. */
  readonly family?: IPFamily;
}

interface ServiceEntry {
  service: Service | undefined;
  slices: Map<string, EndpointSlice>;
  ports: ServicePortInfo[];
  endpoints: Map<string, EndpointInfo[]>;
  warnings: TableWarning[];
}

/**
 * Services and EndpointSlices as kube-proxy reads them. Each change recomputes only the
 * Service it touches and returns that Service's `namespace/name`.
 * @example
 * const table = ServiceTable.from(parseManifestsOrThrow(yaml));
 * table.endpoints('default/web:http/TCP'); // sorted by "ip:port"
 */
export class ServiceTable {
  readonly family: IPFamily;
  private readonly entries = new Map<string, ServiceEntry>();
  private readonly portIndex = new Map<string, ServicePortInfo>();
  private sortedKeys: string[] | undefined;
  private totalEndpointCount = 0;

  constructor(options: ServiceTableOptions = {}) {
    this.family = options.family ?? 'IPv4';
  }

  /** A table holding every Service and EndpointSlice in `objects` (other kinds are ignored). */
  static from(objects: readonly KubernetesObject[], options: ServiceTableOptions = {}): ServiceTable {
    const table = new ServiceTable(options);
    for (const object of objects) {
      if (object.kind === 'Service') table.upsertService(object as Service, false);
      else if (object.kind === 'EndpointSlice') table.upsertSlice(object as EndpointSlice, false);
    }
    for (const key of table.entries.keys()) table.recompute(key);
    table.checkNodePorts();
    return table;
  }

  /** Adds or replaces a Service; returns the `namespace/name` whose rules change. */
  upsertService(service: Service, recompute = true): string {
    const key = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
    this.entry(key).service = service;
    if (recompute) this.recompute(key);
    return key;
  }

  /** Removes a Service; returns its `namespace/name`. */
  deleteService(namespace: string, name: string): string {
    const key = `${namespace}/${name}`;
    const entry = this.entries.get(key);
    if (entry) {
      entry.service = undefined;
      this.recompute(key);
    }
    return key;
  }

  /** Adds or replaces an EndpointSlice; returns the Service it belongs to, or undefined when it belongs to none. */
  upsertSlice(slice: EndpointSlice, recompute = true): string | undefined {
    // Headless slices are kept for cluster DNS; kube-proxy's informer skips them, and so do the
    // rules here: a headless Service has no proxied port (service-port.ts), so its slices make none.
    const key = sliceOwnerKey(slice);
    if (key === undefined) return undefined;
    this.entry(key).slices.set(slice.metadata.name, slice);
    if (recompute) this.recompute(key);
    return key;
  }

  /** Removes an EndpointSlice (by its Service and name); returns the Service's `namespace/name`. */
  deleteSlice(slice: EndpointSlice): string | undefined {
    const key = sliceOwnerKey(slice);
    if (key === undefined) return undefined;
    const entry = this.entries.get(key);
    if (entry?.slices.delete(slice.metadata.name)) this.recompute(key);
    return key;
  }

  /** Every proxied service port, sorted by key (kube-proxy's own order is Go map order). */
  servicePorts(): ServicePortInfo[] {
    return this.keys().map((k) => this.portIndex.get(k) as ServicePortInfo);
  }

  /** Sorted service-port keys (`ns/name:port/PROTOCOL`). */
  keys(): string[] {
    if (this.sortedKeys === undefined) {
      // The order of compareServicePorts, with each `namespace/name` built once rather than twice
      // per comparison (a 10k-port sort makes ~140k comparisons).
      const sorted = [...this.portIndex.values()].map((port) => ({ service: `${port.namespace}/${port.name}`, port }));
      sorted.sort((a, b) => {
        if (a.service !== b.service) return a.service < b.service ? -1 : 1;
        return compareServicePorts(a.port, b.port);
      });
      this.sortedKeys = sorted.map((entry) => entry.port.key);
    }
    return this.sortedKeys;
  }

  /** The service port with this key, if proxied. */
  servicePort(key: string): ServicePortInfo | undefined {
    return this.portIndex.get(key);
  }

  /** Service ports of one Service (`namespace/name`). */
  portsOf(service: string): readonly ServicePortInfo[] {
    return this.entries.get(service)?.ports ?? [];
  }

  /** The ports of one Service with their endpoints, what conntrack cleanup compares across a change. */
  portStates(service: string): ServicePortState[] {
    return this.portsOf(service).map((port) => ({ port, endpoints: this.endpoints(port.key) }));
  }

  /** The endpoints of a service port, sorted by `ip:port`. */
  endpoints(key: string): readonly EndpointInfo[] {
    const port = this.portIndex.get(key);
    if (!port) return [];
    return this.entries.get(`${port.namespace}/${port.name}`)?.endpoints.get(key) ?? [];
  }

  /** Endpoints summed over all service ports (large-cluster mode counts these). */
  get totalEndpoints(): number {
    return this.totalEndpointCount;
  }

  /** The Service object behind `namespace/name`, including unproxied ones (DNS needs those). */
  service(key: string): Service | undefined {
    return this.entries.get(key)?.service;
  }

  /** Every Service object known, proxied or not. */
  services(): Service[] {
    return [...this.entries.values()].flatMap((e) => (e.service ? [e.service] : []));
  }

  /** The EndpointSlices of `namespace/name`. */
  slicesOf(key: string): EndpointSlice[] {
    return [...(this.entries.get(key)?.slices.values() ?? [])];
  }

  /** What kube-proxy would log and skip: bad addresses, nil port names, unproxied Services. */
  warnings(): TableWarning[] {
    return [...this.entries.values()].flatMap((e) => e.warnings);
  }

  /** Throws {@link NodePortConflictError} when two service ports share a nodePort and protocol. */
  checkNodePorts(): void {
    const seen = new Map<string, ServicePortInfo>();
    for (const port of this.servicePorts()) {
      if (port.nodePort === 0) continue;
      const key = `${port.nodePort}/${port.protocol}`;
      const first = seen.get(key);
      // Two ports of one Service may not share it either, but that is the API server's check.
      if (first !== undefined && (first.namespace !== port.namespace || first.name !== port.name)) {
        throw new NodePortConflictError(port.nodePort, port.protocol, first.nameString, port.nameString);
      }
      seen.set(key, port);
    }
  }

  private entry(key: string): ServiceEntry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { service: undefined, slices: new Map(), ports: [], endpoints: new Map(), warnings: [] };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private recompute(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    const oldKeys = portKeys(entry.ports);
    for (const port of entry.ports) {
      this.portIndex.delete(port.key);
      this.totalEndpointCount -= entry.endpoints.get(port.key)?.length ?? 0;
    }
    const warnings: TableWarning[] = [];
    const reason = entry.service ? skipReason(entry.service) : undefined;
    if (entry.service && reason !== undefined) warnings.push({ object: `Service ${key}`, message: reason });
    const ports = entry.service ? readServicePorts(entry.service, this.family, warnings) : [];
    const raw = ports.length > 0 ? readEndpoints([...entry.slices.values()], this.family, warnings) : new Map();
    entry.ports = ports;
    entry.endpoints = new Map();
    for (const port of ports) {
      const list = endpointsForPort(port, raw);
      entry.endpoints.set(port.key, list);
      this.portIndex.set(port.key, port);
      this.totalEndpointCount += list.length;
    }
    if (ports.length > 0) {
      for (const sliceKey of raw.keys()) {
        if (!hasSlicePort(ports, sliceKey)) {
          warnings.push({
            object: `Service ${key}`,
            message: `slice port "${sliceKey}" matches no Service port (name, protocol)`,
          });
        }
      }
    }
    entry.warnings = warnings;
    // Keep the sorted key list when the Service's ports did not change (the common endpoint update).
    if (portKeys(ports) !== oldKeys) this.sortedKeys = undefined;
    if (!entry.service && entry.slices.size === 0) this.entries.delete(key);
  }
}

/** The keys of `ports`, one string to compare (a loop, not map(): recompute runs per Service). */
function portKeys(ports: readonly ServicePortInfo[]): string {
  let keys = '';
  for (const port of ports) keys += `${port.key}\n`;
  return keys;
}

/** Whether a service port matches the slice port `portName/PROTOCOL`. */
function hasSlicePort(ports: readonly ServicePortInfo[], sliceKey: string): boolean {
  for (const port of ports) if (sliceKey === `${port.portName}/${port.protocol}`) return true;
  return false;
}
