import type { Deployment, EndpointSlice, KubernetesObject, Node, Pod, ReplicaSet, Service, StatefulSet } from '@kemu/core';

/** kubectl's age column: 5s, 3m12s, 4h, 2d… (duration.HumanDuration, shortened). */
export function age(creationTimestamp: string | undefined, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(creationTimestamp ?? '')) / 1000));
  if (!Number.isFinite(seconds)) return '<unknown>';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

type Row = Record<string, string>;

function podRow(pod: Pod, wide: boolean): Row {
  const statuses = pod.status?.containerStatuses ?? [];
  const waiting = statuses.map((s) => (s.state as { waiting?: { reason?: string } } | undefined)?.waiting?.reason).find(Boolean);
  const status = pod.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? pod.status?.phase ?? 'Pending');
  const row: Row = {
    READY: `${statuses.filter((s) => s.ready).length}/${pod.spec.containers.length}`,
    STATUS: status,
    RESTARTS: String(statuses.reduce((n, s) => n + s.restartCount, 0)),
    AGE: age(pod.metadata.creationTimestamp),
  };
  if (wide) Object.assign(row, { IP: pod.status?.podIP ?? '<none>', NODE: pod.spec.nodeName ?? '<none>' });
  return row;
}

function serviceRow(service: Service, wide: boolean): Row {
  const ports = (service.spec.ports ?? [])
    .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
    .join(',');
  const external =
    service.status?.loadBalancer?.ingress?.map((i) => i.ip ?? i.hostname).join(',') ||
    (service.spec.type === 'LoadBalancer' ? '<pending>' : '<none>');
  const row: Row = {
    TYPE: service.spec.type ?? 'ClusterIP',
    'CLUSTER-IP': service.spec.clusterIP ?? '<none>',
    'EXTERNAL-IP': external,
    'PORT(S)': ports || '<none>',
    AGE: age(service.metadata.creationTimestamp),
  };
  if (wide)
    row.SELECTOR =
      Object.entries(service.spec.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '<none>';
  return row;
}

/** The columns `kemu get` prints for an object (kubectl's printers, trimmed). */
export function columnsOf(object: KubernetesObject, wide: boolean): Row {
  switch (object.kind) {
    case 'Pod':
      return podRow(object as Pod, wide);
    case 'Service':
      return serviceRow(object as Service, wide);
    case 'Deployment': {
      const d = object as Deployment;
      const row: Row = {
        READY: `${d.status?.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`,
        'UP-TO-DATE': String(d.status?.updatedReplicas ?? 0),
        AVAILABLE: String(d.status?.availableReplicas ?? 0),
        AGE: age(d.metadata.creationTimestamp),
      };
      if (wide)
        Object.assign(row, {
          CONTAINERS: d.spec.template.spec.containers.map((c) => c.name).join(','),
          IMAGES: d.spec.template.spec.containers.map((c) => c.image ?? '').join(','),
        });
      return row;
    }
    case 'ReplicaSet': {
      const rs = object as ReplicaSet;
      return {
        DESIRED: String(rs.spec.replicas ?? 1),
        CURRENT: String(rs.status?.replicas ?? 0),
        READY: String(rs.status?.readyReplicas ?? 0),
        AGE: age(rs.metadata.creationTimestamp),
      };
    }
    case 'StatefulSet': {
      const s = object as StatefulSet;
      return { READY: `${s.status?.readyReplicas ?? 0}/${s.spec.replicas ?? 1}`, AGE: age(s.metadata.creationTimestamp) };
    }
    case 'EndpointSlice': {
      const s = object as EndpointSlice;
      const ports = (s.ports ?? []).map((p) => String(p.port)).join(',') || '<unset>';
      const addresses = s.endpoints.flatMap((e) => e.addresses);
      const shown = addresses.slice(0, 3).join(',') + (addresses.length > 3 ? ` + ${addresses.length - 3} more...` : '');
      return { ADDRESSTYPE: s.addressType, PORTS: ports, ENDPOINTS: shown || '<unset>', AGE: age(s.metadata.creationTimestamp) };
    }
    case 'Node': {
      const n = object as Node;
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      let status = ready === 'True' ? 'Ready' : 'NotReady';
      if (n.spec?.unschedulable) status += ',SchedulingDisabled';
      const row: Row = { STATUS: status, ROLES: '<none>', AGE: age(n.metadata.creationTimestamp), VERSION: 'v1.34.0-kemu' };
      if (wide) row['INTERNAL-IP'] = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '<none>';
      return row;
    }
    default:
      return { AGE: age(object.metadata.creationTimestamp) };
  }
}

/** A kubectl-style table: columns padded with three spaces, NAMESPACE first when asked. */
export function formatTable(
  objects: readonly KubernetesObject[],
  options: { wide?: boolean; withNamespace?: boolean } = {},
): string {
  if (objects.length === 0) return '';
  const rows = objects.map((o) => ({
    ...(options.withNamespace ? { NAMESPACE: o.metadata.namespace ?? '' } : {}),
    NAME: o.metadata.name,
    ...columnsOf(o, options.wide ?? false),
  }));
  const headers = Object.keys(rows[0]!);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => (r[h as keyof typeof r] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('');
  return [line(headers), ...rows.map((r) => line(headers.map((h) => r[h as keyof typeof r] ?? '')))].join('\n');
}
