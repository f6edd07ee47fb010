// What `kemu curl --from` and `kemu trace --from … URL` share: the URL, the source pod, and the
// host resolved as the pod would resolve it.
import { type KubernetesObject, tryParseIP } from '@kemu/core';
import { CliExit, exitCodes } from '../cli/exit.js';
import { resourceOfKind } from '../lab/api/resources.js';
import type { LabClient } from '../lab/client/api-client.js';
import { parsePodRef, type RunningPod, runningPod } from '../lab/client/pod-request.js';
import { type ResolvedHost, resolveHost, urlHost } from '../lab/client/resolve-host.js';

/** Parses a URL as curl does: `http://` when no scheme is given; only http is carried by the pod proxy. */
export function parseRequestUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new CliExit(exitCodes.userError, `error: "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:') {
    throw new CliExit(
      exitCodes.userError,
      `error: ${url.protocol} is not supported: the pod's HTTP proxy carries plain http:// requests`,
    );
  }
  return url;
}

/** The source pod, from `--from` and `-n`. */
export async function sourcePod(client: LabClient, from: string, namespace: string): Promise<RunningPod> {
  const ref = parsePodRef(from, namespace);
  if (!ref) throw new CliExit(exitCodes.userError, `error: "${from}" is not a pod (use pod/NAME or NAME)`);
  return runningPod(client, ref.namespace, ref.name);
}

/** Resolves the URL's host for the pod, reading Services and EndpointSlices only when it is a name. */
export async function resolveFor(
  client: LabClient,
  url: URL,
  pod: RunningPod,
  objects?: readonly KubernetesObject[],
): Promise<ResolvedHost> {
  const host = urlHost(url);
  const known =
    objects ??
    (tryParseIP(host)
      ? []
      : [...(await client.list(resourceOfKind('Service'))), ...(await client.list(resourceOfKind('EndpointSlice')))]);
  return resolveHost(host, pod.namespace, known);
}

/** The URL with its host replaced by the resolved address (what the pod proxy dials). */
export function addressedUrl(url: URL, ip: string): URL {
  const target = new URL(url.href);
  target.hostname = ip.includes(':') ? `[${ip}]` : ip;
  return target;
}
