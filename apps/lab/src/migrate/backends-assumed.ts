import { type EndpointSlice, type HTTPRoute, type Ingress, type KubernetesObject, ofKind, type Service } from '@kemu/core';

/**
 * Services and ready EndpointSlices for every backend the configurations reference but the input
 * does not define. `migrate check` compares routing decisions; without them both routers would
 * answer 503 (ingress-nginx) or 500 (Gateway API) for everything and hide every difference.
 * Services the input does define are used as they are.
 */
export function assumeBackends(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const defined = new Set((ofKind(objects, 'Service') as Service[]).map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
  const wanted = new Map<string, { namespace: string; name: string; numbers: Set<number>; names: Set<string> }>();
  const want = (namespace: string, name: string, port: number | string | undefined) => {
    const key = `${namespace}/${name}`;
    if (defined.has(key)) return;
    const entry = wanted.get(key) ?? { namespace, name, numbers: new Set(), names: new Set() };
    if (typeof port === 'number') entry.numbers.add(port);
    else if (port) entry.names.add(port);
    wanted.set(key, entry);
  };
  for (const ingress of ofKind(objects, 'Ingress') as Ingress[]) {
    const namespace = ingress.metadata.namespace!;
    const backends = [
      ingress.spec.defaultBackend,
      ...(ingress.spec.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend)),
    ];
    for (const b of backends) if (b?.service) want(namespace, b.service.name, b.service.port.number ?? b.service.port.name);
  }
  for (const route of ofKind(objects, 'HTTPRoute') as HTTPRoute[]) {
    for (const rule of route.spec.rules ?? []) {
      for (const b of rule.backendRefs ?? [])
        if ((b.kind ?? 'Service') === 'Service') want(b.namespace ?? route.metadata.namespace!, b.name, b.port);
    }
  }
  const assumed: KubernetesObject[] = [];
  let octet = 1;
  // Services the input defines but without any EndpointSlice: assume one ready endpoint.
  const sliced = new Set(
    (ofKind(objects, 'EndpointSlice') as EndpointSlice[]).map(
      (e) => `${e.metadata.namespace}/${e.metadata.labels?.['kubernetes.io/service-name']}`,
    ),
  );
  for (const service of ofKind(objects, 'Service') as Service[]) {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    if (sliced.has(key) || service.spec.type === 'ExternalName') continue;
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${service.metadata.name}-assumed`,
        namespace: service.metadata.namespace,
        labels: { 'kubernetes.io/service-name': service.metadata.name },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [`10.244.251.${octet++ % 250}`], conditions: { ready: true } }],
      ports: (service.spec.ports ?? []).map((p) => ({
        name: p.name ?? '',
        port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
        protocol: p.protocol ?? 'TCP',
      })),
    };
    assumed.push(slice);
  }
  for (const { namespace, name, numbers, names } of wanted.values()) {
    let spare = 20000;
    const ports = [
      ...[...numbers].map((port) => ({ name: `port-${port}`, port })),
      ...[...names].map((portName) => ({ name: portName, port: spare++ })),
    ];
    const service: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, annotations: { 'kemu.dev/assumed': 'referenced by a route, not in the input' } },
      spec: { type: 'ClusterIP', ports: ports.map((p) => ({ ...p, protocol: 'TCP', targetPort: p.port })) },
    };
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-assumed`, namespace, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [`10.244.250.${octet++ % 250}`], conditions: { ready: true } }],
      ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP' })),
    };
    assumed.push(service, slice);
  }
  return assumed;
}
