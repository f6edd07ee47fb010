import type { KubernetesObject } from '@kemu/core';
import { resourceOfKind } from '../api/resources.js';

/** `deployment.apps/web` or `service/web`: how kubectl names an object in messages. */
export function displayName(object: Pick<KubernetesObject, 'kind' | 'metadata'>): string {
  const info = resourceOfKind(object.kind);
  const kind = object.kind.toLowerCase();
  return `${info.group ? `${kind}.${info.group}` : kind}/${object.metadata.name}`;
}
