import { KemuError } from '@kemu/core';

/**
 * gRPC status codes a CSI plugin answers with (grpc/doc/statuscodes.md), by name. CSI spec
 * "Error Scheme": every non-OK answer carries one of these and a human-readable message.
 */
export const grpcCodes = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** Name of a gRPC status code. */
export type GrpcCodeName = keyof typeof grpcCodes;

/**
 * The error codes of @kemu/csi. `KEMU_CSI_RPC_<STATUS>` is a CSI RPC answered with that gRPC status;
 * the others are Kubernetes-side and configuration failures. A retired code is never reused.
 */
export const csiErrorCodes = {
  rpc: (status: GrpcCodeName) => `KEMU_CSI_RPC_${status}` as const,
  endpoint: 'KEMU_CSI_ENDPOINT',
  config: 'KEMU_CSI_CONFIG',
  provisioning: 'KEMU_CSI_PROVISIONING',
} as const;

/** A CSI RPC failed with a gRPC status; `status` is what goes on the wire. */
export class CsiRpcError extends KemuError {
  /** The gRPC status code number. */
  readonly grpcCode: number;

  constructor(
    /** gRPC status name, e.g. NOT_FOUND. */
    readonly status: GrpcCodeName,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(csiErrorCodes.rpc(status), message, { ...options, userError: status !== 'INTERNAL' });
    this.grpcCode = grpcCodes[status];
  }
}

/** True for a {@link CsiRpcError}, even from another installed copy of @kemu/csi. */
export function isCsiRpcError(value: unknown): value is CsiRpcError {
  return value instanceof KemuError && typeof (value as { grpcCode?: unknown }).grpcCode === 'number';
}

/** Shorthand constructors, one per status the driver uses. */
export const rpcError = {
  invalidArgument: (message: string) => new CsiRpcError('INVALID_ARGUMENT', message),
  notFound: (message: string) => new CsiRpcError('NOT_FOUND', message),
  alreadyExists: (message: string) => new CsiRpcError('ALREADY_EXISTS', message),
  resourceExhausted: (message: string) => new CsiRpcError('RESOURCE_EXHAUSTED', message),
  failedPrecondition: (message: string) => new CsiRpcError('FAILED_PRECONDITION', message),
  aborted: (message: string) => new CsiRpcError('ABORTED', message),
  outOfRange: (message: string) => new CsiRpcError('OUT_OF_RANGE', message),
  internal: (message: string, cause?: unknown) => new CsiRpcError('INTERNAL', message, { cause }),
} as const;

/** The endpoint is not `unix:///path.sock` (CSI spec "Transport": only UNIX domain sockets). */
export class CsiEndpointError extends KemuError {
  constructor(
    readonly endpoint: string,
    reason: string,
  ) {
    super(
      csiErrorCodes.endpoint,
      `CSI endpoint "${endpoint}" ${reason}; give --endpoint unix:///path/to/csi.sock (or CSI_ENDPOINT)`,
    );
  }
}

/** The driver was configured in a way it cannot run (fail fast, as the spec asks of misconfigured plugins). */
export class CsiConfigError extends KemuError {
  constructor(message: string) {
    super(csiErrorCodes.config, message);
  }
}

/** Dynamic provisioning failed (the external-provisioner's ProvisioningFailed event). */
export class ProvisioningError extends KemuError {
  constructor(
    readonly claim: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(csiErrorCodes.provisioning, `failed to provision volume for claim ${claim}: ${message}`, options);
  }
}
