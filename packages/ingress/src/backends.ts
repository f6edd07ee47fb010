// Service + EndpointSlice resolution shared by both routers: a backend is a Service port,
// its endpoints are the ready addresses of the slices labelled with the Service's name.
import {
  type EndpointSlice,
  type KubernetesObject,
  type Secret,
  type Service,
  type ServicePort,
  serviceNameLabel,
} from '@kemu/core';
import type { EndpointAddress } from './request.js';

/** Why a backend could not be resolved. */
export type BackendProblem = 'ServiceNotFound' | 'PortNotFound' | 'NoReadyEndpoints' | 'ExternalName';

/** A resolved Service port, or the reason it could not be. */
export type BackendResolution =
  | { ok: true; service: Service; servicePort: ServicePort; endpoints: EndpointAddress[] }
  | { ok: false; problem: BackendProblem; detail: string };

/** Services, EndpointSlices and Secrets by namespace/name, looked up at match time (no recompile on endpoint change). */
export class ObjectIndex {
  readonly services = new Map<string, Service>();
  readonly slices = new Map<string, EndpointSlice[]>();
  readonly secrets = new Map<string, Secret>();
  readonly namespaces = new Map<string, Record<string, string>>();
  /** The `slices` key each EndpointSlice (`namespace/name`) is listed under, so replacing one looks at one list. */
  private readonly sliceOwners = new Map<string, string>();
  /** Resolutions by `namespace/name:port`, dropped on any Service or EndpointSlice change. */
  private readonly resolved = new Map<string, BackendResolution>();
  /** Bumped on every Service or EndpointSlice change: callers may cache resolutions per version. */
  version = 0;

  /** Indexes the kinds it knows among `objects` (others are ignored). */
  static from(objects: readonly KubernetesObject[]): ObjectIndex {
    const index = new ObjectIndex();
    for (const object of objects) index.upsert(object);
    return index;
  }

  /** Adds or replaces one object; returns whether the kind is one the index keeps. */
  upsert(object: KubernetesObject): boolean {
    if (object.kind === 'Service' || object.kind === 'EndpointSlice') this.invalidate();
    const ns = object.metadata.namespace ?? 'default';
    const key = `${ns}/${object.metadata.name}`;
    switch (object.kind) {
      case 'Service':
        this.services.set(key, object as Service);
        return true;
      case 'Secret':
        this.secrets.set(key, object as Secret);
        return true;
      case 'Namespace':
        this.namespaces.set(object.metadata.name, object.metadata.labels ?? {});
        return true;
      case 'EndpointSlice': {
        this.remove(object);
        const owner = object.metadata.labels?.[serviceNameLabel];
        if (!owner) return true;
        const list = this.slices.get(`${ns}/${owner}`) ?? [];
        list.push(object as EndpointSlice);
        this.slices.set(`${ns}/${owner}`, list);
        this.sliceOwners.set(key, `${ns}/${owner}`);
        return true;
      }
      default:
        return false;
    }
  }

  /** Removes one object (matched by kind, namespace, name). */
  remove(object: Pick<KubernetesObject, 'kind' | 'metadata'>): boolean {
    if (object.kind === 'Service' || object.kind === 'EndpointSlice') this.invalidate();
    const ns = object.metadata.namespace ?? 'default';
    const key = `${ns}/${object.metadata.name}`;
    if (object.kind === 'Service') return this.services.delete(key);
    if (object.kind === 'Secret') return this.secrets.delete(key);
    if (object.kind === 'Namespace') return this.namespaces.delete(object.metadata.name);
    if (object.kind !== 'EndpointSlice') return false;
    const owner = this.sliceOwners.get(key);
    if (owner === undefined) return true;
    this.sliceOwners.delete(key);
    const kept = (this.slices.get(owner) ?? []).filter((s) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}` !== key);
    this.slices.set(owner, kept);
    return true;
  }

  private invalidate(): void {
    this.resolved.clear();
    this.version++;
  }

  /** Labels of a namespace (the implicit `kubernetes.io/metadata.name` label is always there). */
  namespaceLabels(namespace: string): Record<string, string> {
    return { ...(this.namespaces.get(namespace) ?? {}), 'kubernetes.io/metadata.name': namespace };
  }

  /** Resolves `namespace/name:port` (port number or name) to its ready endpoints. */
  resolve(namespace: string, name: string, port: number | string | undefined): BackendResolution {
    const key = `${namespace}/${name}:${port}`;
    let result = this.resolved.get(key);
    if (!result) {
      result = this.resolveNow(namespace, name, port);
      this.resolved.set(key, result);
    }
    return result;
  }

  private resolveNow(namespace: string, name: string, port: number | string | undefined): BackendResolution {
    const service = this.services.get(`${namespace}/${name}`);
    if (!service) return { ok: false, problem: 'ServiceNotFound', detail: `Service ${namespace}/${name} not found` };
    if (service.spec.type === 'ExternalName') {
      return { ok: false, problem: 'ExternalName', detail: `Service ${namespace}/${name} is ExternalName (not proxied)` };
    }
    const ports = service.spec.ports ?? [];
    const servicePort = ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
    if (!servicePort) {
      return { ok: false, problem: 'PortNotFound', detail: `Service ${namespace}/${name} has no port ${String(port)}` };
    }
    const endpoints = readyEndpoints(this.slices.get(`${namespace}/${name}`) ?? [], servicePort);
    if (endpoints.length === 0) {
      return {
        ok: false,
        problem: 'NoReadyEndpoints',
        detail: `Service ${namespace}/${name}:${String(port)} has no ready endpoints`,
      };
    }
    return { ok: true, service, servicePort, endpoints };
  }
}

/** Ready endpoints of a Service port; a null `ready` means ready (discovery/v1 EndpointConditions). */
function readyEndpoints(slices: readonly EndpointSlice[], servicePort: ServicePort): EndpointAddress[] {
  const out: EndpointAddress[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    // The slice port carries the Service port's name ("" for an unnamed port).
    const slicePort = slice.ports?.find((p) => (p.name ?? '') === (servicePort.name ?? ''));
    const port = slicePort?.port ?? (typeof servicePort.targetPort === 'number' ? servicePort.targetPort : servicePort.port);
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      for (const address of endpoint.addresses.slice(0, 1)) {
        const key = `${address}:${port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          address,
          port,
          ...(endpoint.nodeName ? { nodeName: endpoint.nodeName } : {}),
          ...(endpoint.targetRef?.kind === 'Pod' && endpoint.targetRef.name ? { pod: endpoint.targetRef.name } : {}),
        });
      }
    }
  }
  return out;
}
