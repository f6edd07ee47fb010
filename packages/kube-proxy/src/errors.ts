import { KemuError } from '@kemu/core';

/**
 * Every error code @kemu/kube-proxy throws. Codes are stable; a retired code is never reused.
 * Bad objects (a slice with an invalid address, a port name no slice carries) are not errors:
 * kube-proxy skips them and so does the model, reporting them in `ServiceTable.warnings`.
 */
export const kubeProxyErrorCodes = {
  KEMU_KUBE_PROXY_SERVICE_NOT_FOUND: 'no proxied Service port matches the namespace/name:port asked for',
  KEMU_KUBE_PROXY_NODEPORT_CONFLICT: 'two Service ports claim the same nodePort and protocol',
  KEMU_KUBE_PROXY_INVALID_OPTION: 'an option (node, cluster CIDR, scheduler, table size) is not valid',
  KEMU_KUBE_PROXY_NO_ENDPOINTS: 'the Service port has no usable endpoint for this connection (REJECT or DROP)',
  KEMU_KUBE_PROXY_BACKEND_UNREACHABLE: 'every endpoint tried for a new connection refused or failed',
  KEMU_KUBE_PROXY_LISTEN_FAILED: 'a NodePort, LoadBalancer or DNS listener could not bind its loopback port',
} as const;

/** One of the codes in {@link kubeProxyErrorCodes}. */
export type KubeProxyErrorCode = keyof typeof kubeProxyErrorCodes;

/** The Service port asked for is not in the service table (headless, ExternalName, unknown, wrong port). */
export class ServiceNotFoundError extends KemuError {
  constructor(readonly servicePort: string) {
    super(
      'KEMU_KUBE_PROXY_SERVICE_NOT_FOUND',
      `no proxied Service port "${servicePort}" (headless and ExternalName Services are not proxied; check the port name)`,
    );
  }
}

/** Two Service ports claim one nodePort; the API server would have refused the second. */
export class NodePortConflictError extends KemuError {
  constructor(
    readonly nodePort: number,
    readonly protocol: string,
    readonly first: string,
    readonly second: string,
  ) {
    super(
      'KEMU_KUBE_PROXY_NODEPORT_CONFLICT',
      `nodePort ${nodePort}/${protocol} is claimed by both ${first} and ${second}; give one of them another nodePort`,
    );
  }
}

/** An option passed to the model or the proxy is out of range or malformed. */
export class InvalidOptionError extends KemuError {
  constructor(option: string, reason: string) {
    super('KEMU_KUBE_PROXY_INVALID_OPTION', `${option}: ${reason}`);
  }
}

/** No endpoint can take this connection; `verdict` is what the kernel rules would do. */
export class NoEndpointsError extends KemuError {
  constructor(
    readonly servicePort: string,
    readonly verdict: 'REJECT' | 'DROP',
    reason: string,
  ) {
    super('KEMU_KUBE_PROXY_NO_ENDPOINTS', `${servicePort}: ${reason} (${verdict})`);
  }
}

/** Every endpoint tried for a new connection failed to connect. */
export class BackendUnreachableError extends KemuError {
  constructor(
    readonly servicePort: string,
    readonly tried: readonly string[],
    cause?: unknown,
  ) {
    super(
      'KEMU_KUBE_PROXY_BACKEND_UNREACHABLE',
      `${servicePort}: no endpoint accepted the connection (tried ${tried.join(', ') || 'none'})`,
      { cause, userError: false },
    );
  }
}

/** A listener could not bind. */
export class ListenFailedError extends KemuError {
  constructor(address: string, cause?: unknown) {
    super('KEMU_KUBE_PROXY_LISTEN_FAILED', `could not listen on ${address}: ${String((cause as Error)?.message ?? cause)}`, {
      cause,
      userError: false,
    });
  }
}
