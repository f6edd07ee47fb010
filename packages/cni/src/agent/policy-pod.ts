import type { PolicyPod } from '../policy/types.js';
import type { PodRegistration } from './types.js';

const cache = new WeakMap<PodRegistration, PolicyPod>();

/**
 * The policy engine's view of a registered pod, one object per registration: the engine keys its
 * per-pod facts and memoised verdicts by object identity.
 */
export function asPolicyPod(p: PodRegistration): PolicyPod {
  let pod = cache.get(p);
  if (!pod) {
    pod = { namespace: p.namespace, name: p.name, labels: p.labels ?? {}, ips: [p.ip], ports: p.ports ?? [] };
    cache.set(p, pod);
  }
  return pod;
}
