import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kemu/core';
import type { AccessModeName } from '../csi/types.js';

// The driver's state, kept in the @kemu/core Store as kemu-internal kinds, so a restarted driver
// or several drivers on one store (memory backend or Redis) share one truth.

/** apiVersion of the driver's internal records. */
export const recordApiVersion = 'csi.kemu.dev/v1alpha1';
/** Namespace of the records (the store treats kinds it does not model as namespaced). */
export const recordNamespace = 'kemu-csi';
/** Label naming the driver a record belongs to (several drivers can share one store). */
export const driverLabel = 'csi.kemu.dev/driver';

/** One ControllerPublish of a volume to a node. */
export interface PublishedNode {
  readonly: boolean;
  mode: AccessModeName;
  capability: string;
  publishContext: Record<string, string>;
  /** Attach slot claimed on the node (only when the node has max_volumes_per_node). */
  slot?: number;
}

/** One NodePublish target. */
export interface NodeMount {
  readonly: boolean;
  capability: string;
  mode: AccessModeName;
  stagingPath: string;
}

/** What one node did with the volume. */
export interface NodeUse {
  /** staging_target_path → capability key. */
  staged: Record<string, string>;
  /** target_path → mount. */
  mounts: Record<string, NodeMount>;
}

/** A volume the driver created. */
export interface VolumeRecord extends KubernetesObject {
  kind: 'KemuCSIVolume';
  spec: {
    volumeId: string;
    name: string;
    capacityBytes: number;
    accessType: 'block' | 'mount';
    capabilities: string[];
    parameters: Record<string, string>;
    mutableParameters: Record<string, string>;
    volumeContext: Record<string, string>;
    contentSource?: { snapshotId?: string; volumeId?: string };
    accessibleTopology?: Record<string, string>;
    /** Data path relative to the state dir. */
    dataPath: string;
  };
  status: {
    published: Record<string, PublishedNode>;
    nodes: Record<string, NodeUse>;
  };
}

/** A snapshot the driver cut. */
export interface SnapshotRecord extends KubernetesObject {
  kind: 'KemuCSISnapshot';
  spec: {
    snapshotId: string;
    name: string;
    sourceVolumeId: string;
    sizeBytes: number;
    accessType: 'block' | 'mount';
    creationTime: string;
    dataPath: string;
    parameters: Record<string, string>;
  };
}

/** A node the driver serves: written by each node plugin at start, read by the controller. */
export interface NodeRecord extends KubernetesObject {
  kind: 'KemuCSINode';
  spec: { nodeId: string; maxVolumesPerNode: number; topology: Record<string, string> };
}

/** A short hex digest, for store keys made from arbitrary request strings. */
export function digest(text: string, length = 40): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Store object name of a node record. */
export function nodeRecordName(driver: string, nodeId: string): string {
  return `node-${digest(`${driver}\u0000${nodeId}`)}`;
}

/** Claim keys, all under the driver's prefix. */
export const claimKeys = {
  prefix: (driver: string) => `csi.kemu.dev/${driver}/`,
  volumeName: (driver: string, name: string) => `csi.kemu.dev/${driver}/volume-name/${digest(name)}`,
  snapshotName: (driver: string, name: string) => `csi.kemu.dev/${driver}/snapshot-name/${digest(name)}`,
  /** Held by the one node a single-node volume is published to. */
  exclusive: (driver: string, volumeId: string) => `csi.kemu.dev/${driver}/attach/${volumeId}`,
  /** One of max_volumes_per_node attach slots of a node, held by a volume id. */
  slot: (driver: string, nodeId: string, slot: number) => `csi.kemu.dev/${driver}/slots/${digest(nodeId)}/${slot}`,
};

/** An empty node use. */
export function emptyNodeUse(): NodeUse {
  return { staged: {}, mounts: {} };
}
