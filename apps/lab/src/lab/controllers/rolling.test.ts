import type { Deployment, ReplicaSet } from '@kemu/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxUnavailable, newReplicaSetReplicas, resolveFenceposts, scaleDownOld, scaledValue } from './rolling.js';

const deployment = (
  replicas: number,
  maxSurge: number | string = '25%',
  maxUnavailable: number | string = '25%',
): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: {
    replicas,
    selector: {},
    template: { spec: { containers: [] } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
  },
});

const rs = (name: string, replicas: number, available: number): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name },
  spec: { replicas, selector: {}, template: { spec: { containers: [] } } },
  status: { replicas, availableReplicas: available },
});

describe('rolling update arithmetic', () => {
  // deployment_util.ResolveFenceposts: surge rounds up, unavailable rounds down.
  it('rounds maxSurge up and maxUnavailable down', () => {
    expect(resolveFenceposts(deployment(10))).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(deployment(5))).toEqual({ surge: 2, unavailable: 1 });
    expect(scaledValue('50%', 3, true, '0')).toBe(2);
    expect(scaledValue('50%', 3, false, '0')).toBe(1);
  });

  it('makes maxUnavailable 1 when both fenceposts are 0', () => {
    expect(resolveFenceposts(deployment(3, 0, '10%'))).toEqual({ surge: 0, unavailable: 1 });
  });

  // NewRSNewReplicas: the new ReplicaSet grows to at most desired + maxSurge pods in total.
  it('grows the new ReplicaSet within maxSurge', () => {
    const d = deployment(4, 1, 0);
    const old = rs('old', 4, 4);
    const fresh = rs('new', 0, 0);
    expect(newReplicaSetReplicas(d, [old, fresh], fresh)).toBe(1);
    expect(newReplicaSetReplicas(d, [rs('old', 4, 4), rs('new', 1, 0)], rs('new', 1, 0))).toBe(1);
  });

  // reconcileOldReplicaSets: keep desired - maxUnavailable available pods.
  it('scales old ReplicaSets down only while enough pods stay available', () => {
    const d = deployment(4, 1, 0);
    const old = rs('old', 4, 4);
    const fresh = rs('new', 1, 0);
    expect(scaleDownOld(d, [old, fresh], fresh, [old]).size).toBe(0);
    const ready = rs('new', 1, 1);
    expect(scaleDownOld(d, [old, ready], ready, [old]).get(old)).toBe(3);
  });

  it('scales unhealthy old pods down first', () => {
    const d = deployment(4, 1, 1);
    const old = rs('old', 4, 2);
    const fresh = rs('new', 1, 1);
    expect(scaleDownOld(d, [old, fresh], fresh, [old]).get(old)).toBe(2);
  });

  // Invariant: during a rollout, available pods never fall below desired - maxUnavailable.
  it('never takes availability below desired - maxUnavailable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 20 }),
        (replicas, surge, unavailable, newAvailable) => {
          const d = deployment(replicas, surge, unavailable);
          const old = rs('old', replicas, replicas);
          const n = Math.min(newAvailable, replicas);
          const fresh = rs('new', n, n);
          const down = scaleDownOld(d, [old, fresh], fresh, [old]).get(old) ?? replicas;
          expect(down + n).toBeGreaterThanOrEqual(replicas - maxUnavailable(d));
        },
      ),
    );
  });
});
