import { KubeletLogsError } from '../errors.js';
import { type PodLogOptions, sinceOf } from '../pod-log-options.js';
import type { InstanceLog } from './instance-log.js';
import { LogCursor, type LogReadOptions } from './log-cursor.js';
import { ContainerLogStream } from './log-stream.js';
import type { ContainerLog } from './logs.js';

/** Where a node's kubelet reads pod logs: its NodeAgent (`agent.logs(ns, pod)`). */
export interface KubeletLogSource {
  logs(namespace: string, pod: string): ReadonlyMap<string, ContainerLog> | undefined;
}

/** The options the kubelet applies to one container's log (the container is in the path). */
export type ContainerLogRequest = Omit<PodLogOptions, 'container'>;

/**
 * Opens one container's log as the kubelet's `/containerLogs` does (pkg/kubelet/server/server.go
 * getContainerLogs, kubelet_pods.go GetContainerLogs): 404 when the pod or container is not on
 * this node, 400 with the kubelet's wording when there is no such instance, else the log as a
 * stream (following it when asked). Errors are thrown before any byte is written.
 */
export function openContainerLog(
  source: KubeletLogSource,
  namespace: string,
  pod: string,
  container: string,
  request: ContainerLogRequest,
): ContainerLogStream {
  const { instance, options } = select(source, namespace, pod, container, request);
  return new ContainerLogStream(instance, { ...options, follow: request.follow });
}

/** One container's log as text, read once (never following); the kubelet's errors as in {@link openContainerLog}. */
export function readContainerLog(
  source: KubeletLogSource,
  namespace: string,
  pod: string,
  container: string,
  request: ContainerLogRequest,
): string {
  const { instance, options } = select(source, namespace, pod, container, request);
  return new LogCursor(instance, options).drain();
}

function select(
  source: KubeletLogSource,
  namespace: string,
  pod: string,
  container: string,
  request: ContainerLogRequest,
): { instance: InstanceLog; options: LogReadOptions } {
  const logs = source.logs(namespace, pod);
  // server.go getContainerLogs: 404 for a pod or container the kubelet does not have.
  if (!logs) throw new KubeletLogsError(404, 'NotFound', `pod "${namespace}/${pod}" does not exist on this node`);
  const log = logs.get(container);
  if (!log) {
    const known = [...logs.keys()].join(', ');
    throw new KubeletLogsError(
      404,
      'NotFound',
      `container "${container}" not found in pod "${namespace}/${pod}" (containers: ${known})`,
    );
  }
  const instance = log.instanceFor(request.previous ?? false);
  // validateContainerLogStatus: the container status has no such instance; the kubelet answers 400.
  if ('error' in instance) {
    const message =
      instance.error === 'no-previous'
        ? `previous terminated container "${container}" in pod "${pod}" not found`
        : `container "${container}" in pod "${pod}" is waiting to start: ${instance.reason}`;
    throw new KubeletLogsError(400, 'BadRequest', message);
  }
  const options: LogReadOptions = {
    tailLines: request.tailLines,
    since: sinceOf(request, log.now()),
    timestamps: request.timestamps,
    limitBytes: request.limitBytes,
  };
  return { instance, options };
}
