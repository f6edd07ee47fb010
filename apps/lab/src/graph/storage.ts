import { type KubernetesObject, ofKind } from '@kemu/core';
import { type Boxes, idOf, type Selectable } from './boxes.js';
import type { GraphEdge } from './topology.js';

/**
 * Thick arrows for storage, as the Persistent Volumes concept page tells the chain: whatever mounts
 * a claim → the claim → the PersistentVolume bound to it (spec.volumeName) → its StorageClass; a
 * claim not yet bound points at its class. A StatefulSet's volumeClaimTemplates are drawn as
 * `<template>-<statefulset>-*` until the claims themselves (data-db-0) exist, mounted by their pods
 * in a running lab; there a VolumeAttachment is an arrow from the node's group to its PV.
 */
export function addStorage(
  objects: readonly KubernetesObject[],
  mounters: readonly Selectable[],
  boxes: Boxes,
  edges: GraphEdge[],
): void {
  for (const sc of ofKind(objects, 'StorageClass')) boxes.add(sc);
  const classOf = (name: string | null | undefined) => (name ? boxes.ref('StorageClass', undefined, name) : undefined);
  for (const pv of ofKind(objects, 'PersistentVolume')) {
    const node = boxes.add(pv);
    const sc = classOf(pv.spec.storageClassName);
    if (sc) edges.push({ from: node.id, to: sc.id, style: 'storage' });
  }
  const claims = ofKind(objects, 'PersistentVolumeClaim');
  for (const claim of claims) {
    const node = boxes.add(claim);
    const target =
      (claim.spec.volumeName && boxes.ref('PersistentVolume', undefined, claim.spec.volumeName)) ||
      classOf(claim.spec.storageClassName);
    if (target) edges.push({ from: node.id, to: target.id, style: 'storage' });
  }
  for (const m of mounters) {
    for (const volume of m.template.spec.volumes ?? []) {
      const claim =
        volume.persistentVolumeClaim && boxes.ref('PersistentVolumeClaim', m.namespace, volume.persistentVolumeClaim.claimName);
      if (claim) edges.push({ from: m.node.id, to: claim.id, style: 'storage', label: volume.name });
    }
  }
  for (const attachment of ofKind(objects, 'VolumeAttachment')) {
    const pv = attachment.spec.source.persistentVolumeName;
    const volume = pv && boxes.ref('PersistentVolume', undefined, pv);
    // Drawn only where the node is a group of the diagram (a running lab): buildTopology drops the rest.
    if (volume)
      edges.push({
        from: idOf('Node', undefined, attachment.spec.nodeName),
        to: volume.id,
        style: 'storage',
        label: attachment.status?.attached ? 'attached' : 'attaching',
      });
  }
  for (const sts of ofKind(objects, 'StatefulSet')) {
    const owner = boxes.ref('StatefulSet', sts.metadata.namespace, sts.metadata.name)!;
    for (const template of sts.spec.volumeClaimTemplates ?? []) {
      // Per-pod claims are named <template>-<statefulset>-<ordinal> (StatefulSet concept page, "Stable
      // Storage"): where they exist their pods link to them; until then the diagram shows the template.
      const prefix = `${template.metadata.name}-${sts.metadata.name}-`;
      const made = claims.some(
        (c) =>
          c.metadata.namespace === sts.metadata.namespace &&
          c.metadata.name.startsWith(prefix) &&
          /^\d+$/.test(c.metadata.name.slice(prefix.length)),
      );
      if (made) continue;
      const node = boxes.add({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: `${template.metadata.name}-${sts.metadata.name}-*`, namespace: sts.metadata.namespace },
      });
      edges.push({ from: owner.id, to: node.id, style: 'storage', label: template.metadata.name });
      const sc = classOf(template.spec.storageClassName);
      if (sc) edges.push({ from: node.id, to: sc.id, style: 'storage' });
    }
  }
}
