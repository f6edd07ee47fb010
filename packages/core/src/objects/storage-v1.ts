// storage.k8s.io/v1 kinds (k8s.io/api/storage/v1/types.go).
import type { KubernetesObject } from './meta.js';

/** A StorageClass. */
export interface StorageClass extends KubernetesObject {
  kind: 'StorageClass';
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: 'Delete' | 'Retain';
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  allowVolumeExpansion?: boolean;
  mountOptions?: string[];
  allowedTopologies?: { matchLabelExpressions?: { key: string; values: string[] }[] }[];
}

/** A VolumeAttachment: the attach/detach controller's request to attach a PV to a node. */
export interface VolumeAttachment extends KubernetesObject {
  kind: 'VolumeAttachment';
  spec: {
    attacher: string;
    nodeName: string;
    source: { persistentVolumeName?: string; inlineVolumeSpec?: unknown };
  };
  status?: {
    attached: boolean;
    attachmentMetadata?: Record<string, string>;
    attachError?: { time?: string; message?: string; errorCode?: number };
    detachError?: { time?: string; message?: string; errorCode?: number };
  };
}

/** A CSIDriver object: how Kubernetes learns whether a driver needs attach. */
export interface CSIDriver extends KubernetesObject {
  kind: 'CSIDriver';
  spec: {
    attachRequired?: boolean;
    podInfoOnMount?: boolean;
    volumeLifecycleModes?: ('Persistent' | 'Ephemeral')[];
    storageCapacity?: boolean;
    fsGroupPolicy?: 'ReadWriteOnceWithFSType' | 'File' | 'None';
    requiresRepublish?: boolean;
  };
}

/** A CSINode: the drivers registered on a node with their node IDs and topology keys. */
export interface CSINode extends KubernetesObject {
  kind: 'CSINode';
  spec: { drivers: { name: string; nodeID: string; topologyKeys?: string[]; allocatable?: { count?: number } }[] };
}
