import type { KubernetesObject } from '@kemu/core';
import { mergePatch } from './api/merge-patch.js';

/** The annotation where `kubectl apply` keeps what was last applied. */
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * kubectl's client-side apply as a JSON merge patch (three-way: last applied, desired, live):
 * fields the manifest sets win, fields it stopped setting are removed, and fields others set
 * (spec.nodeName, status, allocated IPs) are kept. Lists are replaced whole (no strategic merge).
 */
export function threeWayPatch(last: unknown, desired: unknown, live: unknown): unknown {
  if (!isObject(desired)) return desired;
  const patch: Record<string, unknown> = {};
  const lastObject = isObject(last) ? last : {};
  const liveObject = isObject(live) ? live : {};
  for (const [key, value] of Object.entries(desired)) {
    if (isObject(value) && isObject(liveObject[key])) {
      const inner = threeWayPatch(lastObject[key], value, liveObject[key]);
      if (isObject(inner) && Object.keys(inner).length > 0) patch[key] = inner;
    } else if (JSON.stringify(value) !== JSON.stringify(liveObject[key])) {
      patch[key] = value;
    }
  }
  for (const key of Object.keys(lastObject)) if (!(key in desired) && key in liveObject) patch[key] = null;
  return patch;
}

/** The live object after applying `desired`, with the last-applied annotation updated. */
export function applyTo<T extends KubernetesObject>(live: T, desired: KubernetesObject): T {
  const lastText = live.metadata.annotations?.[lastAppliedAnnotation];
  let last: unknown = {};
  try {
    last = lastText ? JSON.parse(lastText) : {};
  } catch {
    last = {};
  }
  const recorded = withLastApplied(desired);
  const next = mergePatch(live, threeWayPatch(last, recorded, live)) as T;
  next.metadata.resourceVersion = live.metadata.resourceVersion;
  return next;
}

/** `desired` carrying its own last-applied annotation (what a create records). */
export function withLastApplied<T extends KubernetesObject>(desired: T): T {
  const copy = structuredClone(desired);
  const annotations = { ...copy.metadata.annotations };
  delete annotations[lastAppliedAnnotation];
  const recordedSelf = {
    ...copy,
    metadata: { ...copy.metadata, annotations: Object.keys(annotations).length ? annotations : undefined },
  };
  copy.metadata.annotations = { ...annotations, [lastAppliedAnnotation]: JSON.stringify(recordedSelf) };
  return copy;
}
