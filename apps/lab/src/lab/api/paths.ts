import { type ResourceInfo, resourceAt } from './resources.js';

/** Where an API path points. */
export interface Target {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Splits `/api/v1/...` or `/apis/group/version/...` into resource, namespace, name, subresource. */
export function parsePath(pathname: string): Target {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '';
  let rest: string[];
  if (parts[0] === 'api') rest = parts.slice(2);
  else {
    group = parts[1] ?? '';
    rest = parts.slice(3);
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = resourceAt(group, rest[2]!);
    return { info, namespace: rest[1], name: rest[3], subresource: rest[4] };
  }
  const info = resourceAt(group, rest[0] ?? '');
  return { info, name: rest[1], subresource: rest[2] };
}
