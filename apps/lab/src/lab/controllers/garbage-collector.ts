import { type KubernetesObject, keyOf, type Pod } from '@kemu/core';
import { deletePodGracefully, ignoreNotFound } from '../pods.js';
import { Controller, type ControllerContext } from './controller.js';

/** Kinds whose objects can own others in the lab, and the kinds they own. */
const dependentKinds = ['ReplicaSet', 'Pod', 'EndpointSlice'] as const;
const ownerKinds = ['Deployment', 'ReplicaSet', 'StatefulSet', 'Service'] as const;

/**
 * The garbage collector's background cascading deletion (pkg/controller/garbagecollector): when
 * an owner is deleted, every object whose ownerReferences name its uid is deleted too (pods
 * gracefully). Queue keys are `<namespace>/<uid>`.
 */
export class GarbageCollector extends Controller {
  constructor(ctx: ControllerContext) {
    super('garbage-collector', ctx, 2);
  }

  start(): void {
    for (const kind of ownerKinds) {
      this.ctx.informers.for(kind).on((type, owner) => {
        if (type === 'DELETED' && owner.metadata.uid) this.queue.add(`${owner.metadata.namespace ?? ''}/${owner.metadata.uid}`);
      });
    }
    for (const kind of dependentKinds) this.ctx.informers.for(kind);
  }

  protected async reconcile(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const uid = key.slice(slash + 1);
    for (const kind of dependentKinds) {
      const dependents = this.ctx.informers
        .for<KubernetesObject>(kind)
        .list((o) => o.metadata.namespace === namespace && (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
      for (const dependent of dependents) {
        if (kind === 'Pod') await deletePodGracefully(this.ctx.store, dependent as Pod);
        else await ignoreNotFound(this.ctx.store.delete(keyOf(dependent)));
      }
    }
  }
}
