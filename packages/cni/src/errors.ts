// The @kemu/cni error catalogue. Codes are stable; a retired code is never reused.
import { KemuError } from '@kemu/core';

/** Every error code @kemu/cni throws, with what it means. */
export const cniErrorCodes = {
  KEMU_CNI_IPAM_CONFIG: 'the IPAM configuration is invalid (host-local wording in the message)',
  KEMU_CNI_IPAM_ALLOCATION: 'no address could be reserved (exhausted, taken, gateway or duplicate)',
  KEMU_CNI_CLUSTER_CIDR: 'the cluster CIDR or node mask size is invalid, or no pod CIDR is left',
  KEMU_CNI_POLICY: 'a NetworkPolicy is invalid (bad CIDR, port or selector)',
  KEMU_CNI_UNKNOWN_NODE: 'a node was named that the overlay does not know',
  KEMU_CNI_UNKNOWN_POD: 'a pod or address was named that the model does not know',
  KEMU_CNI_PROTOCOL: 'a CNI protocol error (the CNI error code is in `cniCode`)',
} as const;

/** One of {@link cniErrorCodes}. */
export type CniErrorCode = keyof typeof cniErrorCodes;

/**
 * An error host-local reports: host-local returns every allocation and config failure as CNI
 * code 999 (libcni "internal"), with the message kept byte for byte (reference §1.8, §2.3).
 */
export class IpamError extends KemuError {
  /** The CNI error code the plugin prints: always 999, as host-local does. */
  readonly cniCode = 999;
  constructor(code: 'KEMU_CNI_IPAM_CONFIG' | 'KEMU_CNI_IPAM_ALLOCATION', message: string) {
    super(code, message);
  }
}

/** The IPAM configuration is invalid; the message is host-local's. */
export class IpamConfigError extends IpamError {
  constructor(message: string) {
    super('KEMU_CNI_IPAM_CONFIG', message);
  }
}

/** No address could be reserved; the message is host-local's. */
export class IpamAllocationError extends IpamError {
  constructor(message: string) {
    super('KEMU_CNI_IPAM_ALLOCATION', message);
  }
}

/** The cluster CIDR cannot be split, or every node pod CIDR is taken. */
export class ClusterCidrError extends KemuError {
  constructor(message: string) {
    super('KEMU_CNI_CLUSTER_CIDR', message);
  }
}

/** A NetworkPolicy cannot be compiled; `path` names the field. */
export class PolicyError extends KemuError {
  constructor(
    /** `namespace/name` of the policy. */
    readonly policy: string,
    /** Field path such as `spec.ingress[0].from[1].ipBlock.cidr`. */
    readonly path: string,
    detail: string,
  ) {
    super('KEMU_CNI_POLICY', `NetworkPolicy ${policy}: ${path}: ${detail}`);
  }
}

/** A node name the overlay has no lease for. */
export class UnknownNodeError extends KemuError {
  constructor(node: string) {
    super('KEMU_CNI_UNKNOWN_NODE', `node "${node}" has no subnet lease; add it to the overlay first`);
  }
}

/** A pod reference or address the model cannot resolve. */
export class UnknownPodError extends KemuError {
  constructor(what: string) {
    super('KEMU_CNI_UNKNOWN_POD', `no pod matches ${what}`);
  }
}

/**
 * A CNI protocol error: the plugin prints `{code, msg, details}` and exits 1 (SPEC.md "Error").
 * Codes: 1 version, 2 unsupported field, 3 unknown container, 4 env vars, 5 I/O, 6 decoding,
 * 7 invalid config, 11 try again later, 50/51 STATUS, ≥100 plugin-specific, 999 libcni internal.
 */
export class CniProtocolError extends KemuError {
  constructor(
    /** The CNI error code. */
    readonly cniCode: number,
    /** The `msg` field. */
    readonly msg: string,
    /** The `details` field, when any. */
    readonly details?: string,
  ) {
    super('KEMU_CNI_PROTOCOL', details ? `${msg}: ${details}` : msg);
  }
}
