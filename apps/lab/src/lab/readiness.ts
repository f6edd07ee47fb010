import { type Deployment, objectRef, type Pod, type StatefulSet } from '@kemu/core';
import type { InformerFactory } from './informer.js';
import { isPodReady, isPodTerminal } from './pods.js';

/** What is not ready yet in a lab's caches, as `Kind/namespace/name` strings (what `lab.ready()` waits for). */
export function notReady(informers: InformerFactory): string[] {
  const waiting: string[] = [];
  for (const d of informers.for<Deployment>('Deployment').list()) {
    const want = d.spec.replicas ?? 1;
    if (
      (d.status?.availableReplicas ?? 0) < want ||
      (d.status?.updatedReplicas ?? 0) < want ||
      (d.status?.replicas ?? 0) !== want
    )
      waiting.push(objectRef(d));
  }
  for (const s of informers.for<StatefulSet>('StatefulSet').list()) {
    if ((s.status?.readyReplicas ?? 0) < (s.spec.replicas ?? 1)) waiting.push(objectRef(s));
  }
  for (const p of informers.for<Pod>('Pod').list()) {
    if (!isPodTerminal(p) && !p.metadata.deletionTimestamp && !isPodReady(p)) waiting.push(objectRef(p));
  }
  return waiting;
}
