import { Readable } from 'node:stream';
import type { Pod } from '@kemu/core';
import { InvalidObjectError, KubeletLogsError } from '../errors.js';
import { decodePodLogOptions, logContainerOf, type PodLogOptions, validatePodLogOptions } from '../pod-log-options.js';
import { failure, type Status } from './status.js';

/** Where pods/log reads a container's log. */
export interface PodLogSources {
  /**
   * The kubelet of this process: the log as a stream, or undefined when the pod's node does not
   * run here. Throws a {@link KubeletLogsError} (404/400) before any byte when it cannot be read.
   */
  logs?(pod: Pod, container: string, options: PodLogOptions): Readable | undefined;
  /** The kubelet of the pod's node in another process (a `kemu agent`), for pods `logs` does not have. */
  remoteLogs?(pod: Pod, container: string, options: PodLogOptions): Promise<Readable | undefined>;
}

/**
 * The PodLogOptions of a pods/log request (pkg/registry/core/pod/rest/log.go LogREST.Get):
 * decoded from the query (400 when a value does not parse) and validated (422 Invalid with
 * ValidatePodLogOptions' wording, e.g. `PodLogOptions "web" is invalid: tailLines: Invalid value: -1: …`).
 */
export function podLogOptionsOf(url: string, pod: string): PodLogOptions {
  const options = decodePodLogOptions(new URL(url, 'http://kemu').searchParams);
  const issue = validatePodLogOptions(options)[0];
  if (issue) throw new InvalidObjectError(`PodLogOptions "${pod}"`, issue.field, issue.detail);
  return options;
}

/**
 * Opens the log a pods/log request names, as upstream's LogLocation and LocationStreamer: the
 * container is resolved against the pod (400 when missing or unknown), a pod not yet scheduled has
 * an empty log, then the kubelet of the pod's node answers — in this process, else through the
 * node's published kubelet endpoint. A Status when it cannot be read.
 */
export async function openPodLog(pod: Pod, options: PodLogOptions, sources: PodLogSources): Promise<Readable | Status> {
  const container = logContainerOf(pod, options.container);
  // strategy.go LogLocation: "If pod has not been assigned a host, return an empty location".
  if (!pod.spec.nodeName) return Readable.from([]);
  try {
    const log = sources.logs?.(pod, container, options) ?? (await sources.remoteLogs?.(pod, container, options));
    if (log) return log;
  } catch (error) {
    if (!(error instanceof KubeletLogsError)) throw error;
    return failure(error.status, error.reason, error.message);
  }
  return failure(400, 'BadRequest', `pod "${pod.metadata.name}" is not running in this lab (no logs kept)`);
}
