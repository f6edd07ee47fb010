import type { Deployment, ReplicaSet } from '@kemu/core';

// The rolling-update arithmetic of the Deployment controller, pure
// (pkg/controller/deployment/util/deployment_util.go and rolling.go).

/**
 * intstr.GetScaledValueFromIntOrPercent: a number as is, a percent of `total` rounded up or down.
 * maxSurge rounds up, maxUnavailable rounds down (ResolveFenceposts).
 */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean, fallback: string): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const match = /^(\d+)%$/.exec(v);
  if (!match) return /^\d+$/.test(v) ? Number(v) : 0;
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** maxSurge and maxUnavailable for the desired replicas; both zero becomes unavailable 1 (ResolveFenceposts). */
export function resolveFenceposts(deployment: Deployment): { surge: number; unavailable: number } {
  const desired = deployment.spec.replicas ?? 1;
  const rolling = deployment.spec.strategy?.rollingUpdate;
  const surge = scaledValue(rolling?.maxSurge, desired, true, '25%');
  let unavailable = scaledValue(rolling?.maxUnavailable, desired, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** MaxUnavailable: never more than the desired replicas; 0 when not rolling or scaled to 0. */
export function maxUnavailable(deployment: Deployment): number {
  const desired = deployment.spec.replicas ?? 1;
  if (deployment.spec.strategy?.type === 'Recreate' || desired === 0) return 0;
  return Math.min(resolveFenceposts(deployment).unavailable, desired);
}

const replicasOf = (rs: ReplicaSet) => rs.spec.replicas ?? 0;
const availableOf = (rs: ReplicaSet) => rs.status?.availableReplicas ?? 0;

/** NewRSNewReplicas: how far the new ReplicaSet may grow now without exceeding desired + maxSurge. */
export function newReplicaSetReplicas(deployment: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const desired = deployment.spec.replicas ?? 1;
  if (deployment.spec.strategy?.type === 'Recreate') return desired;
  const { surge } = resolveFenceposts(deployment);
  const current = all.reduce((sum, rs) => sum + replicasOf(rs), 0);
  const maxTotal = desired + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, desired - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/**
 * reconcileOldReplicaSets: the new `spec.replicas` of each old ReplicaSet, scaling down first the
 * unhealthy pods (cleanupUnhealthyReplicas), then available ones while at least
 * desired - maxUnavailable pods stay available (scaleDownOldReplicaSetsForRollingUpdate).
 * Old ReplicaSets come oldest first.
 */
export function scaleDownOld(
  deployment: Deployment,
  all: readonly ReplicaSet[],
  newRS: ReplicaSet,
  old: readonly ReplicaSet[],
): Map<ReplicaSet, number> {
  const result = new Map<ReplicaSet, number>();
  const oldCount = old.reduce((sum, rs) => sum + replicasOf(rs), 0);
  if (oldCount === 0) return result;
  const desired = deployment.spec.replicas ?? 1;
  const allCount = all.reduce((sum, rs) => sum + replicasOf(rs), 0);
  const minAvailable = desired - maxUnavailable(deployment);
  const newUnavailable = replicasOf(newRS) - availableOf(newRS);
  const maxScaledDown = allCount - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return result;

  // cleanupUnhealthyReplicas: pods that are not available go first.
  let cleaned = 0;
  for (const rs of old) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = replicasOf(rs) - availableOf(rs);
    if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    result.set(rs, replicasOf(rs) - down);
    cleaned += down;
  }
  const replicasNow = (rs: ReplicaSet) => result.get(rs) ?? replicasOf(rs);
  const availableNow = (rs: ReplicaSet) => Math.min(availableOf(rs), replicasNow(rs));
  // scaleDownOldReplicaSetsForRollingUpdate: keep minAvailable available pods.
  const available = [...all].reduce((sum, rs) => sum + (rs === newRS ? availableOf(rs) : availableNow(rs)), 0);
  if (available <= minAvailable) return result;
  let total = available - minAvailable;
  for (const rs of old) {
    if (total <= 0) break;
    if (replicasNow(rs) === 0) continue;
    const down = Math.min(replicasNow(rs), total);
    result.set(rs, replicasNow(rs) - down);
    total -= down;
  }
  return result;
}
