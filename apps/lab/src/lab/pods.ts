import {
  type KubernetesObject,
  type OwnerReference,
  type Pod,
  type PodCondition,
  type Store,
  StoreNotFoundError,
  updateWithRetry,
} from '@kemu/core';

// Small pod helpers shared by the runtime and the controllers (k8s.io/kubernetes/pkg/api/v1/pod/util.go).

/** The condition of `type`, if the pod has it. */
export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** Whether the pod's Ready condition is True (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Whether the pod is being deleted (deletionTimestamp set). */
export function isTerminating(object: KubernetesObject): boolean {
  return object.metadata.deletionTimestamp !== undefined;
}

/** Whether the pod has finished for good (Succeeded or Failed). */
export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * Sets a condition in place, keeping lastTransitionTime when the status did not change
 * (as the kubelet's status manager does). Returns whether anything changed.
 */
export function setPodCondition(pod: Pod, condition: PodCondition, now = new Date()): boolean {
  pod.status ??= {};
  pod.status.conditions ??= [];
  const conditions = pod.status.conditions;
  const existing = conditions.find((c) => c.type === condition.type);
  if (existing && existing.status === condition.status && existing.reason === condition.reason) return false;
  const next: PodCondition = { ...condition, lastTransitionTime: isoSeconds(now) };
  if (existing && existing.status === condition.status) next.lastTransitionTime = existing.lastTransitionTime;
  if (existing) conditions.splice(conditions.indexOf(existing), 1, next);
  else conditions.push(next);
  return true;
}

/** RFC 3339 with seconds, the way the API server writes timestamps. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The controller owner reference, if any (metav1.GetControllerOf). */
export function controllerOf(object: KubernetesObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** An owner reference making `owner` the controller of a dependent. */
export function controllerRef(owner: KubernetesObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * Deletes a pod the way the API server does: a pod bound to a node gets a deletionTimestamp and
 * its grace period, and its kubelet removes it after shutdown; an unbound or finished pod is
 * removed at once (registry/core/pod/strategy.go CheckGracefulDelete).
 */
export async function deletePodGracefully(
  store: Store,
  pod: Pod,
  gracePeriodSeconds?: number,
): Promise<{ pod: Pod; removed: boolean } | undefined> {
  const key = { kind: 'Pod', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name };
  const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  if (!pod.spec.nodeName || isPodTerminal(pod) || grace === 0) {
    const removed = await ignoreNotFound(store.delete<Pod>(key));
    return removed ? { pod: removed, removed: true } : undefined;
  }
  const updated = await ignoreNotFound(
    updateWithRetry<Pod>(store, key, (current) => {
      if (current.metadata.deletionTimestamp) return undefined;
      current.metadata.deletionTimestamp = isoSeconds(new Date(Date.now() + grace * 1000));
      current.metadata.deletionGracePeriodSeconds = grace;
      return current;
    }),
  );
  return updated ? { pod: updated, removed: false } : undefined;
}

/** Awaits `promise`, treating "not found" as done. */
export async function ignoreNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof StoreNotFoundError) return undefined;
    throw error;
  }
}

/** Random lowercase alphanumerics as apimachinery's `utilrand.String` (no vowels, no confusable digits). */
export function randomSuffix(length = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}
