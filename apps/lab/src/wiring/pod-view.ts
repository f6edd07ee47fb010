import type {
  ClaimResult,
  DeleteOptions,
  KubernetesObject,
  ListOptions,
  ListResult,
  ObjectKey,
  Pod,
  Store,
  Watch,
  WatchOptions,
} from '@kemu/core';

/**
 * The store as the kubelet's volume manager should see pods: a terminating pod keeps its volumes
 * until its containers have stopped (kubelet's desired-state-of-world populator removes a pod only
 * once `podStateProvider.ShouldPodRuntimeBeRemoved`, pkg/kubelet/volumemanager/populator), and a
 * pod the runtime has stopped loses them even if its object lingers. @kemu/csi's
 * `KubeletVolumeManager` drops pods as soon as they carry a deletionTimestamp, so this view hides
 * the deletionTimestamp of pods whose volumes the lab has not released yet, and marks released ones.
 * Everything else goes straight to the store.
 */
export class PodTeardownView implements Store {
  private readonly released = new Set<string>();

  constructor(private readonly store: Store) {}

  get description(): string {
    return this.store.description;
  }

  /** The runtime stopped the pod: its volumes may go. */
  releasePod(pod: Pod): void {
    this.released.add(podId(pod));
  }

  /** Whether {@link releasePod} was called for the pod. */
  isReleased(pod: Pod): boolean {
    return this.released.has(podId(pod));
  }

  async list<T extends KubernetesObject>(kind: string, options?: ListOptions): Promise<ListResult<T>> {
    const result = await this.store.list<T>(kind, options);
    if (kind !== 'Pod') return result;
    const present = new Set<string>();
    const items = (result.items as unknown as Pod[]).map((pod) => {
      const id = podId(pod);
      present.add(id);
      if (this.released.has(id)) {
        return pod.metadata.deletionTimestamp ? pod : { ...pod, metadata: { ...pod.metadata, deletionTimestamp: 'released' } };
      }
      if (!pod.metadata.deletionTimestamp) return pod;
      const { deletionTimestamp: _hidden, ...metadata } = pod.metadata;
      return { ...pod, metadata };
    });
    // Forget pods that are gone for good (only a full, unfiltered list can tell).
    if (!options?.namespace && !options?.labelSelector)
      for (const id of this.released) if (!present.has(id)) this.released.delete(id);
    return { ...result, items: items as unknown as T[] };
  }

  create<T extends KubernetesObject>(object: T): Promise<T> {
    return this.store.create(object);
  }
  get<T extends KubernetesObject>(key: ObjectKey): Promise<T | undefined> {
    return this.store.get<T>(key);
  }
  update<T extends KubernetesObject>(object: T): Promise<T> {
    return this.store.update(object);
  }
  delete<T extends KubernetesObject>(key: ObjectKey, options?: DeleteOptions): Promise<T> {
    return this.store.delete<T>(key, options);
  }
  watch<T extends KubernetesObject>(options?: WatchOptions): Watch<T> {
    return this.store.watch<T>(options);
  }
  claim(key: string, holder: string): Promise<ClaimResult> {
    return this.store.claim(key, holder);
  }
  release(key: string, holder: string): Promise<boolean> {
    return this.store.release(key, holder);
  }
  holderOf(key: string): Promise<string | undefined> {
    return this.store.holderOf(key);
  }
  claims(prefix: string): Promise<Map<string, string>> {
    return this.store.claims(prefix);
  }
  /** The view does not own the store: closing it is a no-op. */
  async close(): Promise<void> {}
}

/** The key the volume manager gives a pod's mounts: its uid (its name for objects without one). */
export function podId(pod: Pod): string {
  return pod.metadata.uid ?? pod.metadata.name;
}
