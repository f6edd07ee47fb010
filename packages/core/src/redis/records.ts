import { createHash } from 'node:crypto';
import type { KubernetesObject } from '../objects/meta.js';
import { jsonCopy, specPart } from '../store/object-writes.js';

// Client side of the stored record `<rv> <generation> <specDigest> <uid> <creationTimestamp> <json>`
// (see scripts.ts). Redis never parses JSON; this file is the only place that builds or reads it.

/** Digest of everything but metadata and status: the scripts compare it to bump generation. */
export function specDigest(object: KubernetesObject): string {
  return createHash('sha1').update(specPart(object)).digest('hex');
}

/** Reads a stored record back into an object carrying its resourceVersion. */
export function decodeRecord<T extends KubernetesObject>(record: string): T {
  let at = 0;
  for (let field = 0; field < 5; field++) at = record.indexOf(' ', at) + 1;
  const object = JSON.parse(record.slice(at)) as T;
  object.metadata.resourceVersion = record.slice(0, record.indexOf(' '));
  return object;
}

/** Reads an event's JSON; `rv` comes from the stream id. */
export function decodeEvent<T extends KubernetesObject>(json: string, rv: string): T {
  const object = JSON.parse(json) as T;
  object.metadata.resourceVersion = rv;
  return object;
}

/** What the create script stores after `<rv> `: header fields and the JSON. */
export function createRecord(prepared: KubernetesObject): { header: string; json: string } {
  const { uid, creationTimestamp, generation } = prepared.metadata;
  return { header: `${generation} ${specDigest(prepared)} ${uid} ${creationTimestamp}`, json: JSON.stringify(prepared) };
}

/** The update script's inputs: the object without identity fields, split so Lua can splice them in first. */
export interface UpdateParts {
  /** The object as sent, without resourceVersion, uid, creationTimestamp and generation. */
  object: KubernetesObject;
  digest: string;
  /** `"name":"x",…}`: metadata's JSON without its opening brace (never empty: name is required). */
  metadataTail: string;
  /** `,"kind":…}` or `}` when metadata is the only field. */
  restTail: string;
}

/** Splits an object for the update script. */
export function updateParts(input: KubernetesObject): UpdateParts {
  const object = jsonCopy(input);
  const metadata = object.metadata;
  delete metadata.resourceVersion;
  delete metadata.uid;
  delete metadata.creationTimestamp;
  delete metadata.generation;
  const { metadata: _metadata, ...rest } = object;
  const restJson = JSON.stringify(rest);
  return {
    object,
    digest: specDigest(object),
    metadataTail: JSON.stringify(metadata).slice(1),
    restTail: restJson === '{}' ? '}' : `,${restJson.slice(1)}`,
  };
}

/** The updated object as the script stored it, built client-side from the script's answer. */
export function updatedObject<T extends KubernetesObject>(
  parts: UpdateParts,
  rv: number,
  generation: number,
  uid: string,
  creationTimestamp: string,
): T {
  const { metadata, ...rest } = parts.object;
  return {
    metadata: { uid, creationTimestamp, generation, ...metadata, resourceVersion: String(rv) },
    ...rest,
  } as T;
}
