import { type Client, credentials, type ServiceError } from '@grpc/grpc-js';
import type {
  ControllerPublishVolumeRequest,
  ControllerUnpublishVolumeRequest,
  CreateVolumeRequest,
  CsiControllerApi,
  CsiNodeApi,
  DeleteVolumeRequest,
  NodePublishVolumeRequest,
  NodeStageVolumeRequest,
  NodeUnpublishVolumeRequest,
  NodeUnstageVolumeRequest,
  Volume,
} from '../csi/types.js';
import { parseEndpoint } from './endpoint.js';
import { loadCsiServices } from './schema.js';

/** A CSI service name. */
export type CsiServiceName = 'Identity' | 'Controller' | 'Node';

/** A gRPC error as the client sees it: `code` is the status number. */
export type CsiCallError = ServiceError;

/** A client of any CSI plugin's socket, built from kemu's schema or another csi.proto (e.g. the official one). */
export class CsiClient implements CsiControllerApi, CsiNodeApi {
  private readonly clients: Record<CsiServiceName, Client>;

  constructor(
    /** `unix:///….sock`. */
    readonly endpoint: string,
    options: { protoPath?: string; deadlineMs?: number } = {},
  ) {
    parseEndpoint(endpoint);
    const services = loadCsiServices(options.protoPath);
    const creds = credentials.createInsecure();
    this.deadlineMs = options.deadlineMs ?? 15_000;
    this.clients = {
      Identity: new services.Identity(endpoint, creds),
      Controller: new services.Controller(endpoint, creds),
      Node: new services.Node(endpoint, creds),
    };
  }

  private readonly deadlineMs: number;

  /** Calls `service.method` with a request; rejects with the gRPC error (`code`, `details`). */
  call<T = Record<string, unknown>>(service: CsiServiceName, method: string, request: object = {}): Promise<T> {
    const client = this.clients[service] as unknown as Record<
      string,
      (req: object, opts: object, cb: (e: ServiceError | null, r: T) => void) => void
    >;
    const fn = client[method];
    if (!fn) return Promise.reject(new Error(`${service}.${method} is not in the schema`));
    return new Promise<T>((resolve, reject) => {
      fn.call(client, request, { deadline: Date.now() + this.deadlineMs }, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
  }

  /** CreateVolume. */
  createVolume(request: CreateVolumeRequest) {
    return this.call<{ volume: Volume }>('Controller', 'CreateVolume', request);
  }
  /** DeleteVolume. */
  deleteVolume(request: DeleteVolumeRequest) {
    return this.call<Record<string, never>>('Controller', 'DeleteVolume', request);
  }
  /** ControllerPublishVolume. */
  controllerPublishVolume(request: ControllerPublishVolumeRequest) {
    return this.call<{ publish_context: Record<string, string> }>('Controller', 'ControllerPublishVolume', request);
  }
  /** ControllerUnpublishVolume. */
  controllerUnpublishVolume(request: ControllerUnpublishVolumeRequest) {
    return this.call<Record<string, never>>('Controller', 'ControllerUnpublishVolume', request);
  }
  /** NodeStageVolume. */
  nodeStageVolume(request: NodeStageVolumeRequest) {
    return this.call<Record<string, never>>('Node', 'NodeStageVolume', request);
  }
  /** NodeUnstageVolume. */
  nodeUnstageVolume(request: NodeUnstageVolumeRequest) {
    return this.call<Record<string, never>>('Node', 'NodeUnstageVolume', request);
  }
  /** NodePublishVolume. */
  nodePublishVolume(request: NodePublishVolumeRequest) {
    return this.call<Record<string, never>>('Node', 'NodePublishVolume', request);
  }
  /** NodeUnpublishVolume. */
  nodeUnpublishVolume(request: NodeUnpublishVolumeRequest) {
    return this.call<Record<string, never>>('Node', 'NodeUnpublishVolume', request);
  }

  /** Closes the channels. */
  close(): void {
    for (const client of Object.values(this.clients)) client.close();
  }
}
