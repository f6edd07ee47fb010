import { KemuError } from '@kemu/core';

/**
 * Every error code the lab throws. Codes are stable; a retired code is never reused.
 * The CLI maps `userError` to exit code 1 and anything else to 2.
 */
export const labErrorCodes = {
  KEMU_LAB_NOT_STARTED: 'the lab was used before start() or after close()',
  KEMU_LAB_NOT_READY: 'lab.ready() timed out; the message lists what is not ready',
  KEMU_LAB_NO_SUCH_NODE: 'a node name that the lab does not run',
  KEMU_LAB_UNKNOWN_RESOURCE: 'an API path names a resource the lab does not serve',
  KEMU_LAB_API: 'the lab API answered with a Kubernetes Status failure',
  KEMU_LAB_UNREACHABLE: 'no lab answers at the given API URL',
  KEMU_LAB_POD_NOT_RUNNING: 'the pod is not running on any node of this lab',
  KEMU_LAB_IP_EXHAUSTED: "a node's pod CIDR has no free address",
  KEMU_LAB_INVALID: 'the API server refuses an object (422 Invalid): a field is wrong or an allocation failed',
  KEMU_LAB_CONTAINER_CONFIG:
    'a container refers to a ConfigMap, Secret, key or field that does not exist (CreateContainerConfigError)',
  KEMU_LAB_UNRESOLVED_HOST: "a URL's host is neither an address nor a name the cluster DNS answers (kemu curl/trace --from)",
  KEMU_LAB_KUBELET_LOGS:
    "the kubelet of a pod's node refused its log (no such container, no previous instance, waiting to start) or could not be reached",
  KEMU_LAB_POD_LOG_OPTIONS:
    'a pods/log request the API server refuses before reading any log (400): a value that does not parse, or no valid container',
  KEMU_LAB_KUBELET_CERTIFICATE:
    "the kubelet of a pod's node presented a serving certificate other than the one its Node pins (kemu.dev/kubelet-serving-cert-sha256), or the Node pins none",
  KEMU_LAB_KUBELET_TLS_FILES:
    '`kemu agent --kubelet-tls-cert/--kubelet-tls-key`: a file that cannot be read, holds no PEM certificate or key, or a key that does not match the certificate',
} as const;

/** One of the codes in {@link labErrorCodes}. */
export type LabErrorCode = keyof typeof labErrorCodes;

/** The lab was used before `start()` or after `close()`. */
export class LabNotStartedError extends KemuError {
  constructor(what: string) {
    super('KEMU_LAB_NOT_STARTED', `${what}: the lab is not running; call start() first`, { userError: false });
  }
}

/** `lab.ready()` timed out. */
export class LabNotReadyError extends KemuError {
  constructor(readonly waiting: readonly string[]) {
    super(
      'KEMU_LAB_NOT_READY',
      `the lab is not ready: ${waiting.slice(0, 10).join(', ')}${waiting.length > 10 ? ` and ${waiting.length - 10} more` : ''}`,
      { userError: false },
    );
  }
}

/** A node name the lab does not run. */
export class NoSuchNodeError extends KemuError {
  constructor(readonly node: string) {
    super('KEMU_LAB_NO_SUCH_NODE', `node "${node}" is not part of this lab`);
  }
}

/** An API path names a resource the lab does not serve. */
export class UnknownResourceError extends KemuError {
  constructor(readonly resource: string) {
    super('KEMU_LAB_UNKNOWN_RESOURCE', `the server doesn't have a resource type "${resource}"`);
  }
}

/** The lab API answered with a Status failure; `status` is its HTTP code and `reason` the Status reason. */
export class LabApiError extends KemuError {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super('KEMU_LAB_API', `${message} (${reason}, HTTP ${status})`);
  }
}

/** Nothing answers at the lab's API URL. */
export class LabUnreachableError extends KemuError {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('KEMU_LAB_UNREACHABLE', `no kemu lab answers at ${url} (${reason}); start one with \`kemu up\` or pass --server`, {
      cause,
    });
  }
}

/** The pod is not running on any node of this lab. */
export class PodNotRunningError extends KemuError {
  constructor(readonly pod: string) {
    super('KEMU_LAB_POD_NOT_RUNNING', `pod ${pod} is not running in this lab`);
  }
}

/** A node's pod CIDR has no free address left. */
export class PodIPExhaustedError extends KemuError {
  constructor(
    readonly node: string,
    readonly cidr: string,
  ) {
    super('KEMU_LAB_IP_EXHAUSTED', `no free pod IP in ${cidr} on node ${node}; delete pods or give the node a larger podCIDR`, {
      userError: false,
    });
  }
}

/** A write the API server refuses (422 Invalid). */
export class InvalidObjectError extends KemuError {
  constructor(
    readonly object: string,
    readonly field: string,
    detail: string,
  ) {
    super('KEMU_LAB_INVALID', `${object} is invalid: ${field}: ${detail}`);
  }
}

/** A container's env refers to a ConfigMap, Secret or key that does not exist (CreateContainerConfigError). */
export class ContainerConfigError extends KemuError {
  constructor(message: string) {
    super('KEMU_LAB_CONTAINER_CONFIG', message);
  }
}

/** A URL's host that the cluster DNS does not answer for the pod (curl's "Could not resolve host"). */
export class UnresolvedHostError extends KemuError {
  constructor(
    readonly host: string,
    readonly tried: readonly string[],
  ) {
    super(
      'KEMU_LAB_UNRESOLVED_HOST',
      `could not resolve host ${host} from the pod (tried ${tried.join(', ')}); use SERVICE.NAMESPACE, a ClusterIP or a pod IP`,
    );
  }
}

/**
 * The kubelet of a pod's node refused its log (the pod or container is not on the node, there is no
 * previous instance, the container waits to start) or, for a `kemu agent` process, could not be
 * reached; `status` is what the API server answers (404/400 passed through, 500 otherwise).
 * `code` is set by the subclass {@link KubeletCertificateError}.
 */
export class KubeletLogsError extends KemuError {
  constructor(
    readonly status: 400 | 404 | 500,
    readonly reason: 'BadRequest' | 'NotFound' | 'InternalError',
    message: string,
    cause?: unknown,
    code: 'KEMU_LAB_KUBELET_LOGS' | 'KEMU_LAB_KUBELET_CERTIFICATE' = 'KEMU_LAB_KUBELET_LOGS',
  ) {
    super(code, message, { cause, userError: status !== 500 });
  }
}

/**
 * The kubelet a Node publishes did not present the serving certificate the Node pins, or the Node
 * pins none, so the API server sent it nothing (not the kubelet token): a 500, as any kubelet it
 * cannot use. Upstream's
 * API server checks the kubelet's certificate only against `--kubelet-certificate-authority`;
 * kemu pins each agent's certificate by the SHA-256 fingerprint it publishes instead.
 */
export class KubeletCertificateError extends KubeletLogsError {
  constructor(message: string) {
    super(500, 'InternalError', message, undefined, 'KEMU_LAB_KUBELET_CERTIFICATE');
  }
}

/** `kemu agent --kubelet-tls-cert FILE --kubelet-tls-key FILE` names files it cannot serve with. */
export class KubeletServingCertificateError extends KemuError {
  constructor(message: string, cause?: unknown) {
    super('KEMU_LAB_KUBELET_TLS_FILES', message, { cause });
  }
}

/** A pods/log request refused before any log is read (400 BadRequest): a value that does not parse, or no valid container. */
export class PodLogOptionsError extends KemuError {
  constructor(message: string) {
    super('KEMU_LAB_POD_LOG_OPTIONS', message);
  }
}
