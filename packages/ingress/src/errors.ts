import { KemuError } from '@kemu/core';

/**
 * Every error code @kemu/ingress throws. Codes are stable; a retired code is never reused.
 * Bad objects (an invalid regex, a missing Service) are not thrown: like a controller, the
 * router skips or degrades them and reports them in `Router.issues` / route conditions.
 */
export const ingressErrorCodes = {
  KEMU_INGRESS_INVALID_REQUEST: 'the request given to match() is malformed (no host, path not starting with /)',
  KEMU_INGRESS_INVALID_OPTION: 'a router or proxy option is out of range or malformed',
  KEMU_INGRESS_BAD_TLS: 'a kubernetes.io/tls Secret holds a certificate or key that cannot be loaded',
  KEMU_INGRESS_LISTEN_FAILED: 'a proxy listener could not bind its loopback port',
} as const;

/** One of the codes in {@link ingressErrorCodes}. */
export type IngressErrorCode = keyof typeof ingressErrorCodes;

/** The request handed to `match()` cannot be routed at all (missing host, relative path). */
export class InvalidRequestError extends KemuError {
  constructor(field: string, reason: string) {
    super('KEMU_INGRESS_INVALID_REQUEST', `request.${field}: ${reason}`);
  }
}

/** An option passed to the router or the proxy is out of range or malformed. */
export class InvalidOptionError extends KemuError {
  constructor(option: string, reason: string) {
    super('KEMU_INGRESS_INVALID_OPTION', `${option}: ${reason}`);
  }
}

/** A TLS Secret's certificate or key was refused by the TLS stack. */
export class BadTLSError extends KemuError {
  constructor(secret: string, reason: string, cause?: unknown) {
    super('KEMU_INGRESS_BAD_TLS', `Secret ${secret}: ${reason} (expected PEM tls.crt and tls.key, base64 in data)`, {
      cause,
    });
  }
}

/** A proxy listener could not bind. */
export class ListenFailedError extends KemuError {
  constructor(address: string, cause: unknown) {
    super('KEMU_INGRESS_LISTEN_FAILED', `cannot listen on ${address}: ${String(cause)}`, { cause, userError: false });
  }
}
