import { type PersistentVolumeClaim, type Pod, type StatefulSet, StoreAlreadyExistsError, updateWithRetry } from '@kemu/core';
import { controllerOf, controllerRef, deletePodGracefully, ignoreNotFound, isPodReady, isPodTerminal } from '../pods.js';
import { Controller, type ControllerContext, nsKey, splitKey } from './controller.js';
import { computeTemplateHash } from './template-hash.js';

const revisionLabel = 'controller-revision-hash';
const podNameLabel = 'statefulset.kubernetes.io/pod-name';
const podIndexLabel = 'apps.kubernetes.io/pod-index';

/**
 * The StatefulSet controller (pkg/controller/statefulset): pods `<set>-<ordinal>` with stable
 * hostnames, a PVC `<claim>-<set>-<ordinal>` per volumeClaimTemplate, OrderedReady (one at a time,
 * each Running and Ready before the next; scale down from the highest ordinal) or Parallel, and
 * rolling updates from the highest ordinal down to the partition.
 */
export class StatefulSetController extends Controller {
  constructor(ctx: ControllerContext) {
    super('statefulset-controller', ctx);
  }

  start(): void {
    this.ctx.informers
      .for<StatefulSet>('StatefulSet')
      .on((_t, s) => this.queue.add(nsKey(s.metadata.namespace, s.metadata.name)));
    this.ctx.informers.for<Pod>('Pod').on((_t, pod) => {
      const owner = controllerOf(pod);
      if (owner?.kind === 'StatefulSet') this.queue.add(nsKey(pod.metadata.namespace, owner.name));
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const store = this.ctx.store;
    const set = await store.get<StatefulSet>({ kind: 'StatefulSet', namespace, name });
    if (!set) return;
    const revision = `${name}-${computeTemplateHash(set.spec.template)}`;
    const pods = new Map<number, Pod>();
    for (const pod of (await store.list<Pod>('Pod', { namespace })).items) {
      if (controllerOf(pod)?.uid !== set.metadata.uid) continue;
      const ordinal = ordinalOf(name, pod.metadata.name);
      if (ordinal !== undefined) pods.set(ordinal, pod);
    }
    const replicas = set.spec.replicas ?? 1;
    const ordered = (set.spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const healthy = (pod: Pod | undefined) =>
      pod !== undefined && pod.status?.phase === 'Running' && isPodReady(pod) && !pod.metadata.deletionTimestamp;

    await this.writeStatus(set, [...pods.values()], revision);
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      const pod = pods.get(ordinal);
      if (!pod) {
        await this.createPod(set, ordinal, revision);
        if (ordered) return;
        continue;
      }
      if (isPodTerminal(pod) && !pod.metadata.deletionTimestamp) {
        await deletePodGracefully(store, pod);
        if (ordered) return;
        continue;
      }
      if (ordered && !healthy(pod)) return;
    }
    // Scale down: the highest ordinal first; OrderedReady one at a time with all others healthy.
    const condemned = [...pods.keys()].filter((o) => o >= replicas).sort((a, b) => b - a);
    for (const ordinal of condemned) {
      const pod = pods.get(ordinal)!;
      if (pod.metadata.deletionTimestamp) {
        if (ordered) return;
        continue;
      }
      if (ordered && [...pods.entries()].some(([o, p]) => o !== ordinal && o < replicas && !healthy(p))) return;
      await deletePodGracefully(store, pod);
      if (ordered) return;
    }
    if (set.spec.updateStrategy?.type === 'OnDelete') return;
    // RollingUpdate: wait for every pod to be healthy, then replace the highest outdated ordinal ≥ partition.
    const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let ordinal = 0; ordinal < replicas; ordinal++) if (!healthy(pods.get(ordinal))) return;
    for (let ordinal = replicas - 1; ordinal >= partition; ordinal--) {
      const pod = pods.get(ordinal)!;
      if (pod.metadata.labels?.[revisionLabel] !== revision) {
        await deletePodGracefully(store, pod);
        return;
      }
    }
  }

  private async createPod(set: StatefulSet, ordinal: number, revision: string): Promise<void> {
    const setName = set.metadata.name;
    const podName = `${setName}-${ordinal}`;
    const namespace = set.metadata.namespace;
    const spec = structuredClone(set.spec.template.spec);
    const volumes = spec.volumes ?? [];
    for (const template of set.spec.volumeClaimTemplates ?? []) {
      const claimName = `${template.metadata.name}-${setName}-${ordinal}`;
      const claim: PersistentVolumeClaim = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: claimName, namespace, labels: { ...template.metadata.labels, ...set.spec.selector.matchLabels } },
        spec: structuredClone(template.spec),
      };
      await this.ctx.store.create(claim).catch((error: unknown) => {
        if (!(error instanceof StoreAlreadyExistsError)) throw error;
      });
      const volume = { name: template.metadata.name, persistentVolumeClaim: { claimName } };
      const index = volumes.findIndex((v) => v.name === template.metadata.name);
      if (index >= 0) volumes[index] = volume;
      else volumes.push(volume);
    }
    if (volumes.length > 0) spec.volumes = volumes;
    spec.hostname = podName;
    if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace,
        labels: {
          ...set.spec.template.metadata?.labels,
          [podNameLabel]: podName,
          [podIndexLabel]: String(ordinal),
          [revisionLabel]: revision,
        },
        annotations: set.spec.template.metadata?.annotations ? { ...set.spec.template.metadata.annotations } : undefined,
        ownerReferences: [controllerRef(set)],
      },
      spec,
    };
    await this.ctx.store.create(pod).catch((error: unknown) => {
      // The previous pod of this ordinal is still being removed: try again when it is gone.
      if (!(error instanceof StoreAlreadyExistsError)) throw error;
    });
  }

  private async writeStatus(set: StatefulSet, pods: Pod[], revision: string): Promise<void> {
    const live = pods.filter((p) => !isPodTerminal(p));
    const status = {
      replicas: live.length,
      readyReplicas: live.filter(isPodReady).length,
      currentReplicas: live.filter((p) => p.metadata.labels?.[revisionLabel] === revision).length,
      updatedReplicas: live.filter((p) => p.metadata.labels?.[revisionLabel] === revision).length,
      availableReplicas: live.filter(isPodReady).length,
      observedGeneration: set.metadata.generation,
      updateRevision: revision,
    };
    await ignoreNotFound(
      updateWithRetry<StatefulSet>(
        this.ctx.store,
        { kind: 'StatefulSet', namespace: set.metadata.namespace, name: set.metadata.name },
        (current) => {
          const next = { ...current.status, ...status };
          if (JSON.stringify(next) === JSON.stringify(current.status)) return undefined;
          current.status = next;
          return current;
        },
      ),
    );
  }
}

/** The ordinal of `<set>-<n>`, if the name has that form. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}
