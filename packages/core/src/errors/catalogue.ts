import { KemuError } from './kemu-error.js';

/**
 * Every error code @kemu/core throws, with what it means. Codes are stable; a retired code is
 * never reused (fastify's rule). The CLI maps `userError` to exit code 1 and anything else to 2.
 */
export const coreErrorCodes = {
  KEMU_INVALID_IP: 'a string is not an IPv4 or IPv6 address',
  KEMU_INVALID_CIDR: 'a string is not a CIDR, or a CIDR operation does not fit',
  KEMU_INVALID_SELECTOR: 'a label selector (string or structured) does not parse',
  KEMU_MANIFEST_INVALID: 'one or more manifests failed to load; `issues` lists every problem',
  KEMU_STORE_NOT_FOUND: 'the object does not exist (HTTP 404 NotFound in the API server)',
  KEMU_STORE_ALREADY_EXISTS: 'an object of that kind, namespace and name exists (409 AlreadyExists)',
  KEMU_STORE_CONFLICT: 'the write carried a stale resourceVersion (409 Conflict)',
  KEMU_STORE_GONE: 'a watch asked for history that was compacted (410 Gone: too old resource version)',
  KEMU_STORE_INVALID: 'the object cannot be stored as given (missing kind or name, bad resourceVersion)',
  KEMU_STORE_UNAVAILABLE: 'the store backend cannot be reached (Redis down, wrong URL)',
  KEMU_STORE_CLOSED: 'the store or watch was used after close()',
} as const;

/** One of the codes in {@link coreErrorCodes}. */
export type CoreErrorCode = keyof typeof coreErrorCodes;

/** A string that is not an IP address. */
export class InvalidIpError extends KemuError {
  constructor(readonly input: string) {
    super('KEMU_INVALID_IP', `"${input}" is not a valid IPv4 or IPv6 address`);
  }
}

/** A string that is not a CIDR, or a CIDR operation that does not fit (e.g. mask smaller than the range). */
export class InvalidCidrError extends KemuError {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super('KEMU_INVALID_CIDR', `"${input}" ${reason}`);
  }
}

/** A label selector that does not parse; `position` is the 0-based character offset in the string form. */
export class InvalidSelectorError extends KemuError {
  constructor(
    readonly selector: string,
    reason: string,
    readonly position?: number,
  ) {
    super(
      'KEMU_INVALID_SELECTOR',
      `invalid label selector "${selector}"${position === undefined ? '' : ` at character ${position}`}: ${reason}`,
    );
  }
}
