import { labelSelector, type Pod, type ReplicaSet, updateWithRetry } from '@kemu/core';
import { OwnWrites } from '../own-writes.js';
import {
  controllerOf,
  controllerRef,
  deletePodGracefully,
  ignoreNotFound,
  isPodReady,
  isPodTerminal,
  podCondition,
  randomSuffix,
} from '../pods.js';
import { Controller, type ControllerContext, nsKey, splitKey } from './controller.js';

/**
 * The ReplicaSet controller (pkg/controller/replicaset): keeps `replicas` active pods, creating
 * `<rs>-<5 random>` pods from the template or deleting the least valuable ones, and writes
 * replicas / readyReplicas / availableReplicas. Pods come from the shared cache with this
 * controller's own writes laid over it ({@link OwnWrites}, upstream's expectations).
 */
export class ReplicaSetController extends Controller {
  private readonly writes = new OwnWrites<Pod>();

  constructor(ctx: ControllerContext) {
    super('replicaset-controller', ctx);
  }

  start(): void {
    this.ctx.informers
      .for<ReplicaSet>('ReplicaSet')
      .on((_type, rs) => this.queue.add(nsKey(rs.metadata.namespace, rs.metadata.name)));
    this.ctx.informers.for<Pod>('Pod').on((_type, pod) => {
      const owner = controllerOf(pod);
      // Pod churn is batched: a reconcile reads every pod of the set.
      if (owner?.kind === 'ReplicaSet') this.queue.addBatched(nsKey(pod.metadata.namespace, owner.name), 10);
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = await this.ctx.store.get<ReplicaSet>({ kind: 'ReplicaSet', namespace, name });
    if (!rs) return;
    const owned = this.ownedPods(rs);
    const active = owned.filter((p) => !isPodTerminal(p) && !p.metadata.deletionTimestamp);
    const desired = rs.spec.replicas ?? 1;
    if (!rs.metadata.deletionTimestamp) {
      if (active.length < desired) {
        const created = await Promise.all(
          Array.from({ length: desired - active.length }, () => this.ctx.store.create(podFromTemplate(rs))),
        );
        for (const pod of created) this.writes.record(pod);
      } else if (active.length > desired) {
        const victims = [...active].sort(deletionOrder).slice(0, active.length - desired);
        const results = await Promise.all(victims.map((pod) => deletePodGracefully(this.ctx.store, pod)));
        for (const result of results) if (result) this.writes.record(result.pod, result.removed);
      }
    }
    const minReady = rs.spec.minReadySeconds ?? 0;
    const now = Date.now();
    const live = this.ownedPods(rs).filter((p) => !isPodTerminal(p) && !p.metadata.deletionTimestamp);
    const ready = live.filter(isPodReady);
    const available = ready.filter((p) => isAvailable(p, minReady, now));
    if (minReady > 0 && available.length < ready.length) this.queue.addAfter(key, minReady * 1000);
    const status = {
      replicas: live.length,
      fullyLabeledReplicas: live.length,
      readyReplicas: ready.length,
      availableReplicas: available.length,
      observedGeneration: rs.metadata.generation,
    };
    await ignoreNotFound(
      updateWithRetry<ReplicaSet>(this.ctx.store, { kind: 'ReplicaSet', namespace, name }, (current) => {
        if (JSON.stringify(current.status ?? {}) === JSON.stringify({ ...current.status, ...status })) return undefined;
        current.status = { ...current.status, ...status };
        return current;
      }),
    );
  }

  /** Pods whose controller is this ReplicaSet: the cache plus this controller's own newer writes. */
  private ownedPods(rs: ReplicaSet): Pod[] {
    const selector = labelSelector(rs.spec.selector);
    const inNamespace = (p: Pod) => p.metadata.namespace === rs.metadata.namespace;
    return this.writes.merge(
      this.ctx.informers.for<Pod>('Pod').list(inNamespace),
      (p) => inNamespace(p) && controllerOf(p)?.uid === rs.metadata.uid && selector.matches(p.metadata.labels),
    );
  }
}

/** A new pod from the template, named `<rs>-<random>` (generateName) with the ReplicaSet as controller. */
export function podFromTemplate(owner: ReplicaSet): Pod {
  const template = owner.spec.template;
  const suffix = randomSuffix();
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${owner.metadata.name}-${suffix}`,
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...template.metadata?.labels },
      annotations: template.metadata?.annotations ? { ...template.metadata.annotations } : undefined,
      ownerReferences: [controllerRef(owner)],
    },
    spec: structuredClone(template.spec),
  };
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Which pods to delete first (controller_utils.go ActivePods Less): unscheduled before scheduled,
 * Pending before Unknown before Running, not ready before ready, more restarts first, newer first.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const scheduled = Number(Boolean(a.spec.nodeName)) - Number(Boolean(b.spec.nodeName));
  if (scheduled !== 0) return scheduled;
  const phase = (phaseRank[a.status?.phase ?? 'Pending'] ?? 0) - (phaseRank[b.status?.phase ?? 'Pending'] ?? 0);
  if (phase !== 0) return phase;
  const ready = Number(isPodReady(a)) - Number(isPodReady(b));
  if (ready !== 0) return ready;
  const restarts = (p: Pod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
}
