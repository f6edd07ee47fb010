import { rpcError } from '../errors.js';
import type { CapacityRange, Int64 } from './types.js';

/** Reads an int64 as a safe JavaScript number (capacities stay well under 2^53 bytes = 8 PiB). */
export function int64(value: Int64 | undefined | null, field: string): number {
  if (value === undefined || value === null || value === '') return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n))
    throw rpcError.outOfRange(`${field} ${String(value)} is beyond what kemu can account (2^53 bytes)`);
  return n;
}

/** The size limits a driver enforces. */
export interface CapacityLimits {
  /** Size when the request names none. */
  defaultBytes: number;
  /** Largest volume; bigger requests are OUT_OF_RANGE (csi-driver-host-path --max-volume-size). */
  maxBytes: number;
}

/**
 * The size to provision for a CapacityRange (spec CapacityRange): 0 means unspecified, negatives
 * and required > limit are INVALID_ARGUMENT (as csi-driver-host-path), above the driver's maximum
 * is OUT_OF_RANGE. With only a limit, the default size capped at the limit is used (the spec leaves
 * the choice to the plugin; csi-driver-host-path takes the whole limit).
 */
export function resolveCapacity(
  range: CapacityRange | null | undefined,
  limits: CapacityLimits,
  field = 'capacity_range',
): number {
  const required = int64(range?.required_bytes, `${field}.required_bytes`);
  const limit = int64(range?.limit_bytes, `${field}.limit_bytes`);
  if (required < 0 || limit < 0) throw rpcError.invalidArgument(`${field}: required_bytes and limit_bytes must not be negative`);
  if (limit > 0 && required > limit) {
    throw rpcError.invalidArgument(`${field}: required_bytes ${required} is greater than limit_bytes ${limit}`);
  }
  const size = required > 0 ? required : limit > 0 ? Math.min(limit, limits.defaultBytes) : limits.defaultBytes;
  if (size > limits.maxBytes) {
    throw rpcError.outOfRange(`${field}: ${size} bytes is more than the maximum volume size ${limits.maxBytes} bytes`);
  }
  return size;
}

/** Whether an existing size satisfies a range (for idempotent CreateVolume). */
export function capacityFits(size: number, range: CapacityRange | null | undefined): boolean {
  const required = int64(range?.required_bytes, 'capacity_range.required_bytes');
  const limit = int64(range?.limit_bytes, 'capacity_range.limit_bytes');
  return size >= required && (limit === 0 || size <= limit);
}
