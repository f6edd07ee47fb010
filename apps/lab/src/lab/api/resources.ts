import { knownKinds } from '@kemu/core';
import { UnknownResourceError } from '../errors.js';

/** How a kind is served: its group, version, plural resource name and scope. */
export interface ResourceInfo {
  kind: string;
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  shortNames: readonly string[];
}

// kubectl's short names (the `shortNames` of each resource in API discovery).
const shortNames: Record<string, string[]> = {
  Pod: ['po'],
  Service: ['svc'],
  Namespace: ['ns'],
  Node: ['no'],
  ConfigMap: ['cm'],
  PersistentVolumeClaim: ['pvc'],
  PersistentVolume: ['pv'],
  Deployment: ['deploy'],
  ReplicaSet: ['rs'],
  StatefulSet: ['sts'],
  Ingress: ['ing'],
  NetworkPolicy: ['netpol'],
  StorageClass: ['sc'],
};

/** The plural resource name of a kind (the API server's default pluralisation). */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

function infoOf(kind: string, apiVersion: string, namespaced: boolean): ResourceInfo {
  const slash = apiVersion.indexOf('/');
  return {
    kind,
    group: slash === -1 ? '' : apiVersion.slice(0, slash),
    version: slash === -1 ? apiVersion : apiVersion.slice(slash + 1),
    resource: pluralOf(kind),
    namespaced,
    shortNames: shortNames[kind] ?? [],
  };
}

/** Every resource the lab serves: the kinds @kemu/core knows, plus Leases (node heartbeats). */
export const resources: readonly ResourceInfo[] = [
  ...[...knownKinds.values()].map((k) => infoOf(k.kind, k.apiVersions[0]!, k.namespaced)),
  infoOf('Lease', 'coordination.k8s.io/v1', true),
];

/** The resource served at `group`/`resource` (any version kemu accepts for it). */
export function resourceAt(group: string, resource: string): ResourceInfo {
  const found = resources.find((r) => r.group === group && r.resource === resource);
  if (!found) throw new UnknownResourceError(group ? `${resource}.${group}` : resource);
  return found;
}

/** The resource a user names on the command line: kind, plural, singular, short name, or `plural.group`. */
export function resourceNamed(name: string): ResourceInfo {
  const lower = name.toLowerCase();
  const [head, ...groupParts] = lower.split('.');
  const group = groupParts.join('.');
  const found = resources.find(
    (r) =>
      (group === '' || r.group === group) &&
      (r.resource === head || r.kind.toLowerCase() === head || r.shortNames.includes(head!)),
  );
  if (!found) throw new UnknownResourceError(name);
  return found;
}

/** The resource of a kind. */
export function resourceOfKind(kind: string): ResourceInfo {
  const found = resources.find((r) => r.kind === kind);
  if (!found) throw new UnknownResourceError(kind);
  return found;
}

/** The URL path of a collection or an object (`/api/v1/namespaces/ns/pods/name`). */
export function resourcePath(info: ResourceInfo, namespace?: string, name?: string): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const scope = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${info.resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}
