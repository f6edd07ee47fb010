import { lstat, unlink } from 'node:fs/promises';
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { isCsiRpcError } from '../errors.js';
import type { CsiDriver } from './driver.js';
import { parseEndpoint } from './endpoint.js';
import { loadCsiServices } from './schema.js';

/** A driver listening on a unix socket. */
export interface ServedCsiDriver {
  /** The endpoint, `unix:///….sock`. */
  readonly endpoint: string;
  /** The socket path. */
  readonly socketPath: string;
  /** The driver behind the socket (callable in-process too). */
  readonly driver: CsiDriver;
  /** Stops accepting calls, lets running ones finish (at most `graceMs`), removes the socket. */
  close(graceMs?: number): Promise<void>;
}

type Handler = (request: never) => Promise<unknown>;

/** A gRPC status for an error: a CSI RPC error keeps its code, anything else is INTERNAL. */
function toStatus(error: unknown): { code: number; details: string } {
  if (isCsiRpcError(error)) return { code: error.grpcCode, details: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 13, details: `internal error: ${message}` };
}

function unary(handler: Handler) {
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    handler(call.request as never).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toStatus(error)),
    );
  };
}

function implementation(methods: Record<string, Handler>): UntypedServiceImplementation {
  return Object.fromEntries(Object.entries(methods).map(([name, handler]) => [name, unary(handler)]));
}

/** Removes a stale socket left by a previous run (never a regular file). */
async function removeStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (stat?.isSocket()) await unlink(path);
}

/**
 * Serves a driver's Identity, Controller and Node services on `endpoint` (spec: every service on
 * one socket). The Controller service is left out in node-only mode, so its RPCs answer
 * UNIMPLEMENTED as the spec requires for a mode that disables them.
 */
export async function serveCsiDriver(driver: CsiDriver, endpoint: string): Promise<ServedCsiDriver> {
  const socketPath = parseEndpoint(endpoint);
  await driver.start();
  const services = loadCsiServices();
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  const d = driver;
  server.addService(
    services.Identity.service,
    implementation({
      GetPluginInfo: () => d.getPluginInfo(),
      GetPluginCapabilities: () => d.getPluginCapabilities(),
      Probe: () => d.probe(),
    }),
  );
  if (driver.ctx.controller) {
    server.addService(
      services.Controller.service,
      implementation({
        CreateVolume: (r) => d.createVolume(r),
        DeleteVolume: (r) => d.deleteVolume(r),
        ControllerPublishVolume: (r) => d.controllerPublishVolume(r),
        ControllerUnpublishVolume: (r) => d.controllerUnpublishVolume(r),
        ValidateVolumeCapabilities: (r) => d.validateVolumeCapabilities(r),
        ListVolumes: (r) => d.listVolumes(r),
        GetCapacity: (r) => d.getCapacity(r),
        ControllerGetCapabilities: () => d.controllerGetCapabilities(),
        CreateSnapshot: (r) => d.createSnapshot(r),
        DeleteSnapshot: (r) => d.deleteSnapshot(r),
        ListSnapshots: (r) => d.listSnapshots(r),
        GetSnapshot: (r) => d.getSnapshot(r),
        ControllerExpandVolume: (r) => d.controllerExpandVolume(r),
        ControllerGetVolume: (r) => d.controllerGetVolume(r),
        ControllerModifyVolume: (r) => d.controllerModifyVolume(r),
      }),
    );
  }
  server.addService(
    services.Node.service,
    implementation({
      NodeStageVolume: (r) => d.nodeStageVolume(r),
      NodeUnstageVolume: (r) => d.nodeUnstageVolume(r),
      NodePublishVolume: (r) => d.nodePublishVolume(r),
      NodeUnpublishVolume: (r) => d.nodeUnpublishVolume(r),
      NodeGetVolumeStats: (r) => d.nodeGetVolumeStats(r),
      NodeExpandVolume: (r) => d.nodeExpandVolume(r),
      NodeGetCapabilities: () => d.nodeGetCapabilities(),
      NodeGetInfo: () => d.nodeGetInfo(),
    }),
  );
  await removeStaleSocket(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve()));
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    socketPath,
    driver,
    close(graceMs = 2000) {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, graceMs);
          server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        await removeStaleSocket(socketPath);
      })();
      return closing;
    },
  };
}
