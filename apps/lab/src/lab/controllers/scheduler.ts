import { type Node, type Pod, updateWithRetry } from '@kemu/core';
import { ignoreNotFound, isPodTerminal, setPodCondition } from '../pods.js';
import { Controller, type ControllerContext, nsKey, splitKey } from './controller.js';
import { pickNode } from './scheduling.js';

/**
 * The scheduler: binds each unscheduled pod (of the default scheduler) to a node that passes the
 * filters, the least loaded first; an unschedulable pod gets PodScheduled=False with the
 * upstream FitError message and is retried when nodes change.
 */
export class Scheduler extends Controller {
  /** Pods bound by this scheduler that the informer has not shown bound yet (the scheduler cache's "assumed pods"). */
  private readonly assumed = new Map<string, string>();
  /** Bindings written but not yet acknowledged by the store. */
  private readonly bindings = new Set<Promise<void>>();

  constructor(ctx: ControllerContext) {
    // One worker: decisions see each other's placements, as the real scheduling queue does.
    super('scheduler', ctx, 1);
  }

  start(): void {
    const pods = this.ctx.informers.for<Pod>('Pod');
    pods.on((type, pod) => {
      const key = nsKey(pod.metadata.namespace, pod.metadata.name);
      if (type === 'DELETED' || pod.spec.nodeName) this.assumed.delete(key);
      if (type !== 'DELETED' && needsScheduling(pod)) this.queue.add(key);
    });
    this.ctx.informers.for<Node>('Node').on(() => {
      for (const pod of pods.list(needsScheduling)) this.queue.add(nsKey(pod.metadata.namespace, pod.metadata.name));
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.ctx.informers.for<Pod>('Pod').get(namespace, name);
    if (!pod || !needsScheduling(pod) || this.assumed.has(key)) return;
    const nodes = this.ctx.informers.for<Node>('Node').list();
    const counts = new Map<string, number>();
    for (const p of this.ctx.informers.for<Pod>('Pod').list()) {
      const node = p.spec.nodeName ?? this.assumed.get(nsKey(p.metadata.namespace, p.metadata.name));
      if (node && !isPodTerminal(p)) counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    const choice = pickNode(pod, nodes, (node) => counts.get(node) ?? 0);
    if ('node' in choice) {
      // kube-scheduler's binding cycle runs apart from its scheduling cycle: the pod is assumed on
      // its node at once (the next decision counts it) and bound asynchronously; a failed bind
      // forgets the assumption and schedules the pod again (pkg/scheduler/schedule_one.go).
      this.assumed.set(key, choice.node);
      const binding = this.write(namespace, name, pod.metadata.uid, (current) => {
        current.spec.nodeName = choice.node;
        setPodCondition(current, { type: 'PodScheduled', status: 'True' });
        return true;
      }).catch((error: unknown) => {
        this.assumed.delete(key);
        this.ctx.log(`scheduler: binding ${key} to ${choice.node} failed, retrying: ${(error as Error).message}`);
        this.queue.addAfter(key, 100);
      });
      this.bindings.add(binding);
      void binding.finally(() => this.bindings.delete(binding));
      return;
    }
    await this.write(namespace, name, pod.metadata.uid, (current) =>
      setPodCondition(current, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: choice.message }),
    );
    this.ctx.log(`scheduler: pod ${key} is unschedulable: ${choice.message}`);
  }

  /** Also waits for the bindings in flight. */
  override async idle(): Promise<void> {
    await super.idle();
    while (this.bindings.size > 0) await Promise.all([...this.bindings]);
  }

  override async close(): Promise<void> {
    await super.close();
    await Promise.all([...this.bindings]);
  }

  /** Updates the pod (this incarnation, still unbound) with `change`; no write when it returns false. */
  private async write(namespace: string, name: string, uid: string | undefined, change: (pod: Pod) => boolean): Promise<void> {
    await ignoreNotFound(
      updateWithRetry<Pod>(this.ctx.store, { kind: 'Pod', namespace, name }, (current) => {
        if (current.spec.nodeName || current.metadata.uid !== uid) return undefined;
        return change(current) ? current : undefined;
      }),
    );
  }
}

/** Pods this scheduler places: unbound, alive, for the default scheduler. */
function needsScheduling(pod: Pod): boolean {
  const scheduler = pod.spec.schedulerName ?? 'default-scheduler';
  return !pod.spec.nodeName && !pod.metadata.deletionTimestamp && !isPodTerminal(pod) && scheduler === 'default-scheduler';
}
