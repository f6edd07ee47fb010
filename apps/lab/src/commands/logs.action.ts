import { once } from 'node:events';
import type { Pod } from '@kemu/core';
import { CliExit, exitCodes } from '../cli/exit.js';
import { resourceOfKind } from '../lab/api/resources.js';
import { LabClient } from '../lab/client/api-client.js';
import { LabApiError } from '../lab/errors.js';
import type { PodLogOptions } from '../lab/pod-log-options.js';
import { parseRFC3339 } from '../lab/runtime/log-clock.js';

/** `kemu logs` options as commander gives them. */
export interface LogsOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  /** Milliseconds (a Go duration on the command line). */
  since?: number;
  sinceTime?: string;
  /** -1: every line. */
  tail: number;
  timestamps?: boolean;
  /** 0: no limit. */
  limitBytes: number;
  namespace: string;
  server?: string;
  token?: string;
}

/** The annotation naming the container kubectl picks when none is given (KEP-2227). */
export const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container';

/**
 * Prints a pod's log as `kubectl logs` does: one container (the one named, else the pod's default
 * one), with the lab's pods/log options; with `--follow` it writes each line as it comes until the
 * container ends (Ctrl-C ends the process, which closes the connection).
 */
export async function runLogs(pod: string, options: LogsOptions): Promise<void> {
  const match = /^(?:(?:pods?|po)\/)?([^/]+)$/.exec(pod);
  if (!match) throw new CliExit(exitCodes.userError, `error: "${pod}" is not a pod (use pod/NAME or NAME)`);
  const name = match[1]!;
  const request = podLogOptions(options);
  const client = new LabClient(options);
  const container = options.container ?? (await defaultContainer(client, options.namespace, name));
  const log = await client.logStream(options.namespace, name, { ...request, container });
  for await (const chunk of log) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}

/** The PodLogOptions of the flags, checked as kubectl's LogsOptions.Validate does. */
function podLogOptions(options: LogsOptions): PodLogOptions {
  const fail = (message: string) => new CliExit(exitCodes.userError, `error: ${message}`);
  // kubectl rounds --since to whole seconds and leaves it out when that is 0.
  const sinceSeconds = options.since === undefined ? 0 : Math.round(options.since / 1000);
  if (options.sinceTime !== undefined && sinceSeconds !== 0)
    throw fail('at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (options.limitBytes < 0) throw fail('--limit-bytes must be greater than 0');
  if (sinceSeconds < 0) throw fail('--since must be greater than 0');
  if (options.tail < -1) throw fail('--tail must be greater than or equal to -1');
  if (options.sinceTime !== undefined && parseRFC3339(options.sinceTime) === undefined)
    throw fail(`--since-time: "${options.sinceTime}" is not an RFC 3339 time (2006-01-02T15:04:05Z07:00)`);
  return {
    follow: options.follow,
    previous: options.previous,
    timestamps: options.timestamps,
    ...(sinceSeconds > 0 ? { sinceSeconds } : {}),
    ...(options.sinceTime !== undefined ? { sinceTime: options.sinceTime } : {}),
    ...(options.tail >= 0 ? { tailLines: options.tail } : {}),
    ...(options.limitBytes > 0 ? { limitBytes: options.limitBytes } : {}),
  };
}

/**
 * The container kubectl reads when none is named (polymorphichelpers logsforobject.go): the one the
 * default-container annotation names, else the first, saying so on stderr when there are others.
 */
async function defaultContainer(client: LabClient, namespace: string, name: string): Promise<string | undefined> {
  const pod = await client.get<Pod>(resourceOfKind('Pod'), namespace, name);
  if (!pod) throw new LabApiError(404, 'NotFound', `pods "${name}" not found`);
  const names = pod.spec.containers.map((c) => c.name);
  const annotated = pod.metadata.annotations?.[defaultContainerAnnotation];
  if (annotated) {
    if (names.includes(annotated)) return annotated;
    process.stderr.write(`Default container name "${annotated}" not found in pod ${name}\n`);
  }
  const inits = (pod.spec.initContainers ?? []).map((c) => `${c.name} (init)`);
  if (names.length > 1 || inits.length > 0)
    process.stderr.write(`Defaulted container "${names[0]}" out of: ${[...names, ...inits].join(', ')}\n`);
  return names[0];
}
