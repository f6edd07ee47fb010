import { type CSINode, type PersistentVolume, type Store, updateWithRetry, type VolumeAttachment } from '@kemu/core';
import type { CsiControllerApi } from '../csi/types.js';
import { deleteIfPresent } from './attach-detach.js';
import { capabilityForVolume } from './attach-rules.js';
import { attacherFinalizer } from './names.js';

/** Options of {@link syncAttacher}. */
export interface AttacherOptions {
  /** The driver whose VolumeAttachments this attacher handles (spec.attacher). */
  driverName: string;
  /** Whether the driver has node SINGLE_NODE_MULTI_WRITER (finer access-mode mapping). */
  singleNodeMultiWriter?: boolean;
}

/** What one pass did. */
export interface AttacherReport {
  attached: string[];
  detached: string[];
  failed: { attachment: string; message: string }[];
}

const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function messageOf(error: unknown): string {
  return (error as { details?: string }).details ?? (error instanceof Error ? error.message : String(error));
}

/** The CSI node id of a node: CSINode.spec.drivers[].nodeID, else the node name (kemu's convention). */
async function csiNodeId(store: Store, nodeName: string, driverName: string): Promise<string> {
  const csiNode = await store.get<CSINode>({ kind: 'CSINode', name: nodeName });
  return csiNode?.spec.drivers.find((d) => d.name === driverName)?.nodeID ?? nodeName;
}

async function setStatus(store: Store, name: string, mutate: (va: VolumeAttachment) => void): Promise<void> {
  await updateWithRetry<VolumeAttachment>(store, { kind: 'VolumeAttachment', name }, (va) => {
    mutate(va);
    return va;
  });
}

/**
 * One pass of the external-attacher (kubernetes-csi/external-attacher csi_handler.go): for each
 * VolumeAttachment of its driver, adds its finalizer, calls ControllerPublishVolume and records
 * `attached` with `attachmentMetadata` = publish_context, or `attachError`; for each one marked
 * for deletion, calls ControllerUnpublishVolume and removes the finalizer (the object goes), or
 * records `detachError` and keeps it.
 */
export async function syncAttacher(
  store: Store,
  controller: CsiControllerApi,
  options: AttacherOptions,
): Promise<AttacherReport> {
  const report: AttacherReport = { attached: [], detached: [], failed: [] };
  const finalizer = attacherFinalizer(options.driverName);
  const { items } = await store.list<VolumeAttachment>('VolumeAttachment');
  for (const attachment of items.filter((a) => a.spec.attacher === options.driverName)) {
    const name = attachment.metadata.name;
    const pvName = attachment.spec.source.persistentVolumeName ?? '';
    const pv = await store.get<PersistentVolume>({ kind: 'PersistentVolume', name: pvName });
    const nodeId = await csiNodeId(store, attachment.spec.nodeName, options.driverName);
    if (attachment.metadata.deletionTimestamp) {
      try {
        if (pv?.spec.csi) await controller.controllerUnpublishVolume({ volume_id: pv.spec.csi.volumeHandle, node_id: nodeId });
      } catch (error) {
        report.failed.push({ attachment: name, message: messageOf(error) });
        await setStatus(store, name, (va) => {
          va.status = {
            attached: va.status?.attached ?? true,
            ...va.status,
            detachError: { time: timestamp(), message: messageOf(error) },
          };
        });
        continue;
      }
      await deleteIfPresent(store, { kind: 'VolumeAttachment', name });
      report.detached.push(name);
      continue;
    }
    if (attachment.status?.attached) continue;
    if (!pv?.spec.csi) {
      await setStatus(store, name, (va) => {
        va.status = { attached: false, attachError: { time: timestamp(), message: `PersistentVolume "${pvName}" not found` } };
      });
      report.failed.push({ attachment: name, message: `PersistentVolume "${pvName}" not found` });
      continue;
    }
    await setStatus(store, name, (va) => {
      va.metadata.finalizers = [...new Set([...(va.metadata.finalizers ?? []), finalizer])];
    });
    try {
      const { publish_context } = await controller.controllerPublishVolume({
        volume_id: pv.spec.csi.volumeHandle,
        node_id: nodeId,
        volume_capability: capabilityForVolume(pv, options.singleNodeMultiWriter),
        readonly: pv.spec.csi.readOnly === true,
        volume_context: { ...(pv.spec.csi.volumeAttributes ?? {}) },
      });
      await setStatus(store, name, (va) => {
        va.status = { attached: true, attachmentMetadata: { ...publish_context } };
      });
      report.attached.push(name);
    } catch (error) {
      await setStatus(store, name, (va) => {
        va.status = { attached: false, attachError: { time: timestamp(), message: messageOf(error) } };
      });
      report.failed.push({ attachment: name, message: messageOf(error) });
    }
  }
  return report;
}
