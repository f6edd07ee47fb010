import type { Pod } from '@kemu/core';
import { PodLogOptionsError } from './errors.js';
import { parseRFC3339, rfc3339NanoFixed, secondsToNanos } from './runtime/log-clock.js';

/** PodLogOptions (core/v1): what `GET pods/NAME/log` and the kubelet's `/containerLogs` take. */
export interface PodLogOptions {
  /** The container; may be left out for a pod with one. */
  container?: string;
  /** Keep streaming as the container writes, until it ends. */
  follow?: boolean;
  /** The previous instance of a container that restarted. */
  previous?: boolean;
  /** Only lines of the last this many seconds. */
  sinceSeconds?: number;
  /** Only lines from this RFC 3339 time on. */
  sinceTime?: string;
  /** Prefix each line with its RFC 3339 time (nine fraction digits). */
  timestamps?: boolean;
  /** Only the last this many lines. */
  tailLines?: number;
  /** Stop after this many bytes. */
  limitBytes?: number;
}

/** One invalid field, as field.Error renders it after the path. */
export interface PodLogOptionsIssue {
  field: string;
  detail: string;
}

const integers = ['sinceSeconds', 'tailLines', 'limitBytes'] as const;
const booleans = ['follow', 'previous', 'timestamps'] as const;

/**
 * Decodes PodLogOptions from query parameters as the API server's parameter codec does
 * (apimachinery runtime/conversion.go): a boolean is true unless absent, `false` or `0`; an
 * integer must parse; `sinceTime` must be RFC 3339. Throws {@link PodLogOptionsError} (400) otherwise.
 */
export function decodePodLogOptions(params: URLSearchParams): PodLogOptions {
  const options: PodLogOptions = {};
  const container = params.get('container');
  if (container) options.container = container;
  for (const name of booleans) {
    const value = params.get(name);
    if (value !== null && value !== '0' && value.toLowerCase() !== 'false') options[name] = true;
  }
  for (const name of integers) {
    const value = params.get(name);
    if (value === null) continue;
    if (!/^[+-]?\d+$/.test(value)) throw new PodLogOptionsError(`${name}: "${value}" is not an integer`);
    options[name] = Number(value);
  }
  const sinceTime = params.get('sinceTime');
  if (sinceTime !== null) {
    if (parseRFC3339(sinceTime) === undefined)
      throw new PodLogOptionsError(`sinceTime: "${sinceTime}" is not an RFC 3339 time (2006-01-02T15:04:05Z07:00)`);
    options.sinceTime = sinceTime;
  }
  return options;
}

/** ValidatePodLogOptions (pkg/apis/core/validation/validation.go), with upstream's wording. */
export function validatePodLogOptions(options: PodLogOptions): PodLogOptionsIssue[] {
  const issues: PodLogOptionsIssue[] = [];
  const invalid = (field: string, value: number, detail: string) =>
    issues.push({ field, detail: `Invalid value: ${value}: ${detail}` });
  if (options.tailLines !== undefined && options.tailLines < 0)
    invalid('tailLines', options.tailLines, 'must be greater than or equal to 0');
  if (options.limitBytes !== undefined && options.limitBytes < 1)
    invalid('limitBytes', options.limitBytes, 'must be greater than 0');
  if (options.sinceSeconds !== undefined && options.sinceTime !== undefined)
    issues.push({ field: '', detail: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
  else if (options.sinceSeconds !== undefined && options.sinceSeconds < 1)
    invalid('sinceSeconds', options.sinceSeconds, 'must be greater than 0');
  return issues;
}

/** The query string the API server passes to the kubelet (strategy.go LogLocation), `?…` or empty. */
export function podLogQuery(options: PodLogOptions): string {
  const params = new URLSearchParams();
  for (const name of booleans) if (options[name]) params.set(name, 'true');
  if (options.sinceSeconds !== undefined) params.set('sinceSeconds', String(options.sinceSeconds));
  if (options.sinceTime !== undefined) params.set('sinceTime', options.sinceTime);
  if (options.tailLines !== undefined) params.set('tailLines', String(options.tailLines));
  if (options.limitBytes !== undefined) params.set('limitBytes', String(options.limitBytes));
  return params.size > 0 ? `?${params}` : '';
}

/**
 * The time lines must not be older than, in the form log lines carry it: `now - sinceSeconds`, or
 * `sinceTime` when later (kuberuntime/logs NewLogOptions). Undefined when neither is set.
 */
export function sinceOf(options: PodLogOptions, now: bigint): string | undefined {
  let since: bigint | undefined;
  if (options.sinceSeconds !== undefined) since = now - secondsToNanos(options.sinceSeconds);
  const time = options.sinceTime === undefined ? undefined : parseRFC3339(options.sinceTime);
  if (time !== undefined && (since === undefined || time > since)) since = time;
  return since === undefined ? undefined : rfc3339NanoFixed(since);
}

/**
 * The container a log request reads, as the API server decides (strategy.go LogLocation): the one
 * named, which must be in the pod, or the only one; 400 otherwise, with upstream's wording.
 */
export function logContainerOf(pod: Pod, container: string | undefined): string {
  const name = pod.metadata.name;
  const names = pod.spec.containers.map((c) => c.name);
  const inits = (pod.spec.initContainers ?? []).map((c) => c.name);
  if (container) {
    if (names.includes(container) || inits.includes(container)) return container;
    throw new PodLogOptionsError(`container ${container} is not valid for pod ${name}`);
  }
  if (names.length === 1) return names[0]!;
  if (names.length === 0) throw new PodLogOptionsError(`a container name must be specified for pod ${name}`);
  const initsPart = inits.length > 0 ? ` or one of the init containers: [${inits.join(' ')}]` : '';
  throw new PodLogOptionsError(
    `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]${initsPart}`,
  );
}
