import type { KubernetesObject } from '../objects/meta.js';

// What the API server does to metadata on create and update, shared by both backends so they agree.

/** A plain JSON deep copy: drops undefined, rejects functions and cycles the way JSON does. */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Everything but metadata and status, serialized: a change here bumps metadata.generation. */
export function specPart(object: KubernetesObject): string {
  const { metadata: _metadata, status: _status, ...rest } = object as KubernetesObject & { status?: unknown };
  return JSON.stringify(rest);
}

/** The object as create stores it, before its resourceVersion is known. */
export function prepareCreate<T extends KubernetesObject>(object: T, now: Date): T {
  const copy = jsonCopy(object);
  const metadata = copy.metadata;
  delete metadata.resourceVersion;
  metadata.uid = globalThis.crypto.randomUUID();
  metadata.creationTimestamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  metadata.generation = 1;
  return copy;
}

/** The object as update stores it: identity fields kept from `current`, generation bumped on spec change. */
export function prepareUpdate<T extends KubernetesObject>(object: T, current: KubernetesObject): T {
  const copy = jsonCopy(object);
  const metadata = copy.metadata;
  delete metadata.resourceVersion;
  metadata.uid = current.metadata.uid;
  metadata.creationTimestamp = current.metadata.creationTimestamp;
  const generation = current.metadata.generation ?? 1;
  metadata.generation = specPart(copy) === specPart(current) ? generation : generation + 1;
  return copy;
}
