import { type Node, type Pod, updateWithRetry } from '@kemu/core';
import { type Lease, nodeLeaseNamespace } from '../lease.js';
import { ignoreNotFound, isoSeconds, setPodCondition } from '../pods.js';
import { Controller, type ControllerContext } from './controller.js';

/** The taint a node gets while its agent is silent (TaintNodesByCondition). */
export const unreachableTaint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' as const };

/**
 * The node lifecycle controller (pkg/controller/nodelifecycle): a node whose Lease was not renewed
 * within the grace period gets Ready=Unknown ("Kubelet stopped posting node status."), the
 * unreachable NoSchedule taint, and every pod on it Ready=False (MarkPodsNotReady), so its
 * endpoints leave rotation. The taint goes away when the node is Ready again.
 */
export class NodeLifecycleController extends Controller {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    ctx: ControllerContext,
    /** node-monitor-grace-period: 5 s in the lab (upstream 40–50 s). */
    private readonly graceMs = 5000,
  ) {
    super('node-lifecycle-controller', ctx, 2);
  }

  start(): void {
    this.ctx.informers.for<Node>('Node').on((type, node) => {
      if (type !== 'DELETED') this.queue.add(node.metadata.name);
    });
    this.ctx.informers.for<Lease>('Lease').on((type, lease) => {
      if (type !== 'DELETED' && lease.metadata.namespace === nodeLeaseNamespace) this.queue.add(lease.metadata.name);
    });
    // node-monitor-period: look at every node a few times per grace period.
    const period = Math.max(50, Math.floor(this.graceMs / 5));
    this.timer = setInterval(() => {
      for (const node of this.ctx.informers.for<Node>('Node').list()) this.queue.add(node.metadata.name);
    }, period);
    this.timer.unref?.();
  }

  override async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await super.close();
  }

  protected async reconcile(name: string): Promise<void> {
    const node = this.ctx.informers.for<Node>('Node').get(undefined, name);
    if (!node) return;
    const lease = this.ctx.informers.for<Lease>('Lease').get(nodeLeaseNamespace, name);
    const renewed = Date.parse(lease?.spec.renewTime ?? node.metadata.creationTimestamp ?? '');
    const silent = !Number.isFinite(renewed) || Date.now() - renewed > this.graceMs;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const tainted = (node.spec?.taints ?? []).some((t) => t.key === unreachableTaint.key);
    // A node that never had an agent (no Lease, never Ready) is left alone: nothing runs there.
    if (silent && lease && ready?.status !== 'Unknown') await this.markUnknown(name);
    if (silent && lease) await this.markPodsNotReady(name);
    if (!silent && ready?.status === 'True' && tainted) await this.setTaint(name, false);
  }

  private async markUnknown(name: string): Promise<void> {
    this.ctx.log(`node ${name} stopped heartbeating: Ready=Unknown, its pods are not ready`);
    const now = isoSeconds(new Date());
    await ignoreNotFound(
      updateWithRetry<Node>(this.ctx.store, { kind: 'Node', name }, (node) => {
        node.status ??= {};
        node.status.conditions ??= [];
        const conditions = node.status.conditions;
        const condition = {
          type: 'Ready',
          status: 'Unknown' as const,
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastHeartbeatTime: conditions.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? now,
          lastTransitionTime: now,
        };
        const index = conditions.findIndex((c) => c.type === 'Ready');
        if (index >= 0) conditions[index] = condition;
        else conditions.push(condition);
        node.spec ??= {};
        node.spec.taints ??= [];
        const taints = node.spec.taints;
        if (!taints.some((t) => t.key === unreachableTaint.key)) taints.push({ ...unreachableTaint });
        return node;
      }),
    );
  }

  private async setTaint(name: string, present: boolean): Promise<void> {
    await ignoreNotFound(
      updateWithRetry<Node>(this.ctx.store, { kind: 'Node', name }, (node) => {
        const taints = node.spec?.taints ?? [];
        const has = taints.some((t) => t.key === unreachableTaint.key);
        if (has === present) return undefined;
        node.spec = {
          ...node.spec,
          taints: present ? [...taints, { ...unreachableTaint }] : taints.filter((t) => t.key !== unreachableTaint.key),
        };
        return node;
      }),
    );
  }

  /** nodelifecycle MarkPodsNotReady: Ready=False on every pod of the node. */
  private async markPodsNotReady(name: string): Promise<void> {
    const pods = this.ctx.informers.for<Pod>('Pod').list((p) => p.spec.nodeName === name);
    await Promise.all(
      pods
        .filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status !== 'False'))
        .map((pod) =>
          ignoreNotFound(
            updateWithRetry<Pod>(
              this.ctx.store,
              { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name },
              (current) => {
                if (
                  !setPodCondition(current, {
                    type: 'Ready',
                    status: 'False',
                    reason: 'NodeNotReady',
                    message: `node ${name} is not ready`,
                  })
                )
                  return undefined;
                return current;
              },
            ),
          ),
        ),
    );
  }
}
