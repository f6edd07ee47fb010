// TypeScript shapes of the csi.v1 messages kemu reads and writes, as @grpc/proto-loader decodes
// them with { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true }:
// snake_case field names (the spec's), int64 as decimal strings, enums by name.

/** int64 on the wire: proto-loader decodes it as a decimal string; a number is accepted when sending. */
export type Int64 = string | number;

/** VolumeCapability.AccessMode.Mode (csi.proto). */
export type AccessModeName =
  | 'UNKNOWN'
  | 'SINGLE_NODE_WRITER'
  | 'SINGLE_NODE_READER_ONLY'
  | 'MULTI_NODE_READER_ONLY'
  | 'MULTI_NODE_SINGLE_WRITER'
  | 'MULTI_NODE_MULTI_WRITER'
  | 'SINGLE_NODE_SINGLE_WRITER'
  | 'SINGLE_NODE_MULTI_WRITER';

/** VolumeCapability: block or mount, plus an access mode. */
export interface VolumeCapability {
  block?: Record<string, never> | null;
  mount?: { fs_type?: string; mount_flags?: string[]; volume_mount_group?: string } | null;
  access_mode?: { mode?: AccessModeName | number } | null;
  access_type?: 'block' | 'mount';
}

/** CapacityRange: 0 means unspecified. */
export interface CapacityRange {
  required_bytes?: Int64;
  limit_bytes?: Int64;
}

/** Topology segments, e.g. `{ "topology.csi.kemu.dev/node": "node-1" }`. */
export interface Topology {
  segments?: Record<string, string>;
}

/** VolumeContentSource: a snapshot or a volume to start from. */
export interface VolumeContentSource {
  snapshot?: { snapshot_id?: string } | null;
  volume?: { volume_id?: string } | null;
  type?: 'snapshot' | 'volume';
}

/** csi.v1.Volume. */
export interface Volume {
  capacity_bytes: Int64;
  volume_id: string;
  volume_context: Record<string, string>;
  content_source?: VolumeContentSource | null;
  accessible_topology: Topology[];
}

/** csi.v1.Snapshot. */
export interface Snapshot {
  size_bytes: Int64;
  snapshot_id: string;
  source_volume_id: string;
  creation_time: { seconds: Int64; nanos: number } | null;
  ready_to_use: boolean;
  group_snapshot_id: string;
}

/** CreateVolumeRequest. */
export interface CreateVolumeRequest {
  name?: string;
  capacity_range?: CapacityRange | null;
  volume_capabilities?: VolumeCapability[];
  parameters?: Record<string, string>;
  secrets?: Record<string, string>;
  volume_content_source?: VolumeContentSource | null;
  accessibility_requirements?: { requisite?: Topology[]; preferred?: Topology[] } | null;
  mutable_parameters?: Record<string, string>;
}

/** ControllerPublishVolumeRequest. */
export interface ControllerPublishVolumeRequest {
  volume_id?: string;
  node_id?: string;
  volume_capability?: VolumeCapability | null;
  readonly?: boolean;
  secrets?: Record<string, string>;
  volume_context?: Record<string, string>;
}

/** ControllerUnpublishVolumeRequest. */
export interface ControllerUnpublishVolumeRequest {
  volume_id?: string;
  node_id?: string;
  secrets?: Record<string, string>;
}

/** DeleteVolumeRequest. */
export interface DeleteVolumeRequest {
  volume_id?: string;
  secrets?: Record<string, string>;
}

/** NodeStageVolumeRequest. */
export interface NodeStageVolumeRequest {
  volume_id?: string;
  publish_context?: Record<string, string>;
  staging_target_path?: string;
  volume_capability?: VolumeCapability | null;
  secrets?: Record<string, string>;
  volume_context?: Record<string, string>;
}

/** NodeUnstageVolumeRequest. */
export interface NodeUnstageVolumeRequest {
  volume_id?: string;
  staging_target_path?: string;
}

/** NodePublishVolumeRequest. */
export interface NodePublishVolumeRequest {
  volume_id?: string;
  publish_context?: Record<string, string>;
  staging_target_path?: string;
  target_path?: string;
  volume_capability?: VolumeCapability | null;
  readonly?: boolean;
  secrets?: Record<string, string>;
  volume_context?: Record<string, string>;
}

/** NodeUnpublishVolumeRequest. */
export interface NodeUnpublishVolumeRequest {
  volume_id?: string;
  target_path?: string;
}

/**
 * The Controller RPCs the Kubernetes side needs (provisioner and attacher), so they run against
 * the driver in-process or over its socket alike.
 */
export interface CsiControllerApi {
  /** CreateVolume. */
  createVolume(request: CreateVolumeRequest): Promise<{ volume: Volume }>;
  /** DeleteVolume. */
  deleteVolume(request: DeleteVolumeRequest): Promise<Record<string, never>>;
  /** ControllerPublishVolume. */
  controllerPublishVolume(request: ControllerPublishVolumeRequest): Promise<{ publish_context: Record<string, string> }>;
  /** ControllerUnpublishVolume. */
  controllerUnpublishVolume(request: ControllerUnpublishVolumeRequest): Promise<Record<string, never>>;
}

/** The Node RPCs kubelet's volume manager needs. */
export interface CsiNodeApi {
  /** NodeStageVolume. */
  nodeStageVolume(request: NodeStageVolumeRequest): Promise<Record<string, never>>;
  /** NodeUnstageVolume. */
  nodeUnstageVolume(request: NodeUnstageVolumeRequest): Promise<Record<string, never>>;
  /** NodePublishVolume. */
  nodePublishVolume(request: NodePublishVolumeRequest): Promise<Record<string, never>>;
  /** NodeUnpublishVolume. */
  nodeUnpublishVolume(request: NodeUnpublishVolumeRequest): Promise<Record<string, never>>;
}
