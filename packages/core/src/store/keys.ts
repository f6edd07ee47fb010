import { isNamespaced } from '../objects/kinds.js';
import type { KubernetesObject } from '../objects/meta.js';
import { StoreInvalidError } from './errors.js';
import type { ObjectKey } from './types.js';

/** `Kind/namespace/name` or `Kind/name`: the store's key of an object. */
export function storeKey(key: ObjectKey): string {
  return key.namespace ? `${key.kind}/${key.namespace}/${key.name}` : `${key.kind}/${key.name}`;
}

/** The key of an object, checking it has what a key needs. */
export function keyOf(object: KubernetesObject): ObjectKey {
  if (!object || typeof object !== 'object') throw new StoreInvalidError('an object is required');
  if (!object.kind) throw new StoreInvalidError('object has no kind');
  if (!object.metadata?.name) throw new StoreInvalidError(`${object.kind} has no metadata.name`);
  const namespace = object.metadata.namespace;
  return namespace
    ? { kind: object.kind, namespace, name: object.metadata.name }
    : { kind: object.kind, name: object.metadata.name };
}

/** Parses a resourceVersion the store handed out; throws on anything else. */
export function parseResourceVersion(text: string): bigint {
  if (!/^\d+$/.test(text)) throw new StoreInvalidError(`resourceVersion "${text}" is not one this store issued`);
  return BigInt(text);
}

/** The store key of an object about to be written: namespaced kinds need a namespace. */
export function writeKeyOf(object: KubernetesObject): string {
  const key = keyOf(object);
  if (!key.namespace && isNamespaced(object.kind)) {
    throw new StoreInvalidError(`${object.kind}/${key.name} needs metadata.namespace`);
  }
  return storeKey(key);
}
