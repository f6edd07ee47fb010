import { type Deployment, labelSelector, type ReplicaSet, StoreAlreadyExistsError, updateWithRetry } from '@kemu/core';
import { controllerOf, controllerRef, ignoreNotFound } from '../pods.js';
import { Controller, type ControllerContext, nsKey, splitKey } from './controller.js';
import { maxUnavailable, newReplicaSetReplicas, resolveFenceposts, scaleDownOld } from './rolling.js';
import { computeTemplateHash, equalIgnoreHash, podTemplateHashLabel } from './template-hash.js';

/** The revision annotation on Deployments and ReplicaSets. */
export const revisionAnnotation = 'deployment.kubernetes.io/revision';
const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';

/**
 * The Deployment controller (pkg/controller/deployment): one ReplicaSet per template named
 * `<deployment>-<pod-template-hash>`, rolling updates within maxSurge / maxUnavailable (or
 * Recreate), revisions in `deployment.kubernetes.io/revision`, old ReplicaSets pruned to
 * revisionHistoryLimit, and the Deployment's status.
 */
export class DeploymentController extends Controller {
  constructor(ctx: ControllerContext) {
    super('deployment-controller', ctx);
  }

  start(): void {
    this.ctx.informers.for<Deployment>('Deployment').on((_t, d) => this.queue.add(nsKey(d.metadata.namespace, d.metadata.name)));
    this.ctx.informers.for<ReplicaSet>('ReplicaSet').on((_t, rs) => {
      const owner = controllerOf(rs);
      if (owner?.kind === 'Deployment') this.queue.add(nsKey(rs.metadata.namespace, owner.name));
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const store = this.ctx.store;
    const deployment = await store.get<Deployment>({ kind: 'Deployment', namespace, name });
    if (!deployment || deployment.metadata.deletionTimestamp) return;
    const selector = labelSelector(deployment.spec.selector);
    const owned = (await store.list<ReplicaSet>('ReplicaSet', { namespace })).items.filter(
      (rs) => controllerOf(rs)?.uid === deployment.metadata.uid && selector.matches(rs.metadata.labels),
    );
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    let newRS = owned.find((rs) => equalIgnoreHash(rs.spec.template, deployment.spec.template));
    const old = owned.filter((rs) => rs !== newRS).sort((a, b) => revisionOf(a) - revisionOf(b));
    if (deployment.spec.paused) return this.writeStatus(deployment, owned, newRS);

    if (!newRS) {
      newRS = await this.createNewReplicaSet(deployment, owned, maxRevision + 1);
      if (!newRS) return;
    } else if (revisionOf(newRS) < maxRevision) {
      // A rollback to an old template: that ReplicaSet becomes the newest revision.
      newRS = await this.setAnnotations(newRS, { [revisionAnnotation]: String(maxRevision + 1) });
    }
    const all = [...old, newRS];
    if (deployment.spec.strategy?.type === 'Recreate') await this.recreate(deployment, old, newRS);
    else await this.rollingUpdate(deployment, all, old, newRS);
    await this.cleanup(deployment, old);
    const revision = String(revisionOf(newRS));
    if (deployment.metadata.annotations?.[revisionAnnotation] !== revision) {
      await ignoreNotFound(
        updateWithRetry<Deployment>(store, { kind: 'Deployment', namespace, name }, (d) => {
          d.metadata.annotations = { ...d.metadata.annotations, [revisionAnnotation]: revision };
          return d;
        }),
      );
    }
    const fresh = (await store.list<ReplicaSet>('ReplicaSet', { namespace })).items.filter(
      (rs) => controllerOf(rs)?.uid === deployment.metadata.uid,
    );
    await this.writeStatus(
      deployment,
      fresh,
      fresh.find((rs) => rs.metadata.name === newRS!.metadata.name),
    );
  }

  private async createNewReplicaSet(
    deployment: Deployment,
    all: ReplicaSet[],
    revision: number,
  ): Promise<ReplicaSet | undefined> {
    const hash = computeTemplateHash(deployment.spec.template);
    const template = structuredClone(deployment.spec.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [podTemplateHashLabel]: hash } };
    const selector = structuredClone(deployment.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, [podTemplateHashLabel]: hash };
    const desired = deployment.spec.replicas ?? 1;
    const surge = deployment.spec.strategy?.type === 'Recreate' ? 0 : resolveFenceposts(deployment).surge;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${deployment.metadata.name}-${hash}`,
        namespace: deployment.metadata.namespace,
        labels: { ...template.metadata.labels },
        annotations: {
          [revisionAnnotation]: String(revision),
          [desiredReplicasAnnotation]: String(desired),
          [maxReplicasAnnotation]: String(desired + surge),
        },
        ownerReferences: [controllerRef(deployment)],
      },
      spec: { replicas: 0, selector, template, minReadySeconds: deployment.spec.minReadySeconds },
    };
    // Start at the size the strategy allows now (getNewReplicaSet + NewRSNewReplicas).
    rs.spec.replicas =
      deployment.spec.strategy?.type === 'Recreate' &&
      all.some((r) => (r.spec.replicas ?? 0) > 0 || (r.status?.replicas ?? 0) > 0)
        ? 0
        : newReplicaSetReplicas(deployment, [...all, rs], rs);
    try {
      return await this.ctx.store.create(rs);
    } catch (error) {
      // Someone (an earlier reconcile) created it: the next reconcile picks it up.
      if (error instanceof StoreAlreadyExistsError) {
        this.queue.addAfter(nsKey(deployment.metadata.namespace, deployment.metadata.name), 10);
        return undefined;
      }
      throw error;
    }
  }

  private async rollingUpdate(deployment: Deployment, all: ReplicaSet[], old: ReplicaSet[], newRS: ReplicaSet): Promise<void> {
    const desired = deployment.spec.replicas ?? 1;
    const current = newRS.spec.replicas ?? 0;
    // reconcileNewReplicaSet: grow within maxSurge, or shrink to the desired count.
    const target = current > desired ? desired : newReplicaSetReplicas(deployment, all, newRS);
    if (target !== current) await this.scale(newRS, target, deployment);
    newRS.spec.replicas = target;
    for (const [rs, replicas] of scaleDownOld(deployment, all, newRS, old)) await this.scale(rs, replicas, deployment);
  }

  private async recreate(deployment: Deployment, old: ReplicaSet[], newRS: ReplicaSet): Promise<void> {
    // rolloutRecreate: scale every old ReplicaSet to 0, wait for their pods to be gone, then scale up.
    for (const rs of old) if ((rs.spec.replicas ?? 0) > 0) await this.scale(rs, 0, deployment);
    if (old.some((rs) => (rs.status?.replicas ?? 0) > 0 || (rs.spec.replicas ?? 0) > 0)) return;
    const desired = deployment.spec.replicas ?? 1;
    if ((newRS.spec.replicas ?? 0) !== desired) await this.scale(newRS, desired, deployment);
  }

  /** Deletes the oldest ReplicaSets with no pods beyond revisionHistoryLimit (cleanupDeployment). */
  private async cleanup(deployment: Deployment, old: ReplicaSet[]): Promise<void> {
    const limit = deployment.spec.revisionHistoryLimit ?? 10;
    const empty = old.filter(
      (rs) => (rs.spec.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp,
    );
    const extra = empty.length - limit;
    for (const rs of empty.slice(0, Math.max(0, extra))) {
      await ignoreNotFound(
        this.ctx.store.delete({ kind: 'ReplicaSet', namespace: rs.metadata.namespace, name: rs.metadata.name }),
      );
    }
  }

  private async scale(rs: ReplicaSet, replicas: number, deployment: Deployment): Promise<void> {
    const desired = deployment.spec.replicas ?? 1;
    await ignoreNotFound(
      updateWithRetry<ReplicaSet>(
        this.ctx.store,
        { kind: 'ReplicaSet', namespace: rs.metadata.namespace, name: rs.metadata.name },
        (current) => {
          if (current.spec.replicas === replicas && current.metadata.annotations?.[desiredReplicasAnnotation] === String(desired))
            return undefined;
          current.spec.replicas = replicas;
          current.metadata.annotations = { ...current.metadata.annotations, [desiredReplicasAnnotation]: String(desired) };
          return current;
        },
      ),
    );
  }

  private async setAnnotations(rs: ReplicaSet, annotations: Record<string, string>): Promise<ReplicaSet> {
    return updateWithRetry<ReplicaSet>(
      this.ctx.store,
      { kind: 'ReplicaSet', namespace: rs.metadata.namespace, name: rs.metadata.name },
      (current) => {
        current.metadata.annotations = { ...current.metadata.annotations, ...annotations };
        return current;
      },
    );
  }

  /** Deployment status from its ReplicaSets (sync.go calculateStatus). */
  private async writeStatus(deployment: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const sum = (f: (rs: ReplicaSet) => number) => all.reduce((n, rs) => n + f(rs), 0);
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const desired = deployment.spec.replicas ?? 1;
    const status: NonNullable<Deployment['status']> = {
      observedGeneration: deployment.metadata.generation,
      replicas,
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(desired - available, 0),
    };
    // DeploymentComplete: every replica updated and available, no old pods left.
    const complete = status.updatedReplicas === desired && replicas === desired && available === desired;
    const conditions = [
      {
        type: 'Available',
        status: available >= desired - maxUnavailable(deployment) ? 'True' : 'False',
        reason: available >= desired - maxUnavailable(deployment) ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        message:
          available >= desired - maxUnavailable(deployment)
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
      },
      // progress.go: NewReplicaSetAvailable once the rollout is complete, ReplicaSetUpdated while it moves.
      complete
        ? {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${newRS?.metadata.name ?? ''}" has successfully progressed.`,
          }
        : {
            type: 'Progressing',
            status: 'True',
            reason: 'ReplicaSetUpdated',
            message: `ReplicaSet "${newRS?.metadata.name ?? ''}" is progressing.`,
          },
    ];
    const { namespace = 'default', name } = deployment.metadata;
    await ignoreNotFound(
      updateWithRetry<Deployment>(this.ctx.store, { kind: 'Deployment', namespace, name }, (current) => {
        const next = { ...current.status, ...status, conditions };
        if (JSON.stringify(next) === JSON.stringify(current.status)) return undefined;
        current.status = next;
        return current;
      }),
    );
  }
}

/** The revision number of a ReplicaSet (0 when unset). */
export function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations?.[revisionAnnotation] ?? 0) || 0;
}
