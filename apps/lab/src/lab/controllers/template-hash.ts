import type { PodTemplateSpec } from '@kemu/core';

// The pod-template-hash label (pkg/controller/controller_utils.go ComputeHash): upstream hashes the
// template with FNV-32a over a deep print of the Go struct, then encodes the decimal number with
// rand.SafeEncodeString. kemu hashes a canonical JSON form (keys sorted) instead of the Go print,
// so hashes are stable and look like upstream's but are not byte-identical to them.

/** The label every ReplicaSet and its pods carry. */
export const podTemplateHashLabel = 'pod-template-hash';

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery rand.SafeEncodeString: each character mapped into an alphabet without vowels. */
export function safeEncodeString(text: string): string {
  let out = '';
  for (const ch of text) out += alphanums[ch.codePointAt(0)! % alphanums.length];
  return out;
}

/** FNV-1a, 32 bits, over UTF-8 bytes. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** JSON with object keys sorted, so equal templates print equally. */
export function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJSON(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The template hash, with the Deployment's collisionCount mixed in when set (ComputeHash). */
export function computeTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  let text = canonicalJSON(withoutHashLabel(template));
  if (collisionCount !== undefined) text += String(collisionCount);
  return safeEncodeString(String(fnv32a(text)));
}

/** The template without the pod-template-hash label (EqualIgnoreHash compares this). */
export function withoutHashLabel(template: PodTemplateSpec): PodTemplateSpec {
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[podTemplateHashLabel];
  return { ...template, metadata: { ...template.metadata, labels } };
}

/** Whether two templates are equal ignoring the hash label (deployment/util EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalJSON(withoutHashLabel(a)) === canonicalJSON(withoutHashLabel(b));
}
