import { isIPv6 } from 'node:net';
import type { Node, Pod, Secret } from '@kemu/core';
import { KubeletLogsError } from './errors.js';
import type { InformerFactory } from './informer.js';
import { kubeletCredentials, kubeletTokenOf } from './kubelet-credentials.js';

/**
 * The Node annotation with the address its agent advertises (flannel's, written by the agent's
 * @kemu/cni endpoint, wiring/cni-directory.ts). InternalIP stays a virtual address no socket dials.
 */
export const publicIPAnnotation = 'flannel.alpha.coreos.com/public-ip';

/** Where a node's kubelet listens, from its Node. */
export interface KubeletEndpoint {
  address: string;
  port: number;
}

/** Reads a pod's log from the kubelet of another process; undefined when its node publishes no kubelet. */
export type RemoteLogs = (
  namespace: string,
  pod: string,
  container: string | undefined,
  tailLines: number | undefined,
) => Promise<string | undefined>;

/** The kubelet a Node publishes: its agent's advertise address and `status.daemonEndpoints.kubeletEndpoint.Port`. */
export function kubeletEndpointOf(node: Node): KubeletEndpoint | undefined {
  const address = node.metadata.annotations?.[publicIPAnnotation];
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port || !(port > 0)) return undefined;
  return { address, port };
}

/** The kubelet URL of one container's log (pkg/kubelet/server/server.go `/containerLogs/{ns}/{pod}/{container}`). */
export function containerLogsURL(
  endpoint: KubeletEndpoint,
  namespace: string,
  pod: string,
  container: string,
  tailLines?: number,
): string {
  const host = isIPv6(endpoint.address) ? `[${endpoint.address}]` : endpoint.address;
  const path = [namespace, pod, container].map(encodeURIComponent).join('/');
  const query = tailLines !== undefined && Number.isInteger(tailLines) && tailLines >= 0 ? `?tailLines=${tailLines}` : '';
  return `http://${host}:${endpoint.port}/containerLogs/${path}${query}`;
}

/**
 * The API server's pods/log for pods that run in a `kemu agent` process: as upstream's LogLocation
 * (pkg/registry/core/pod/strategy.go) it finds the pod's node, dials the node's kubelet at the
 * address and daemon port the Node publishes and returns what `/containerLogs` answers; kubelet
 * errors 400/404 pass through (genericrest's HTTP response checker), anything else is a 500.
 * Without a container every container's log is returned in spec order, as the lab does locally.
 */
export function kubeletLogs(informers: InformerFactory, timeoutMs = 10_000): RemoteLogs {
  informers.for<Secret>('Secret');
  return async (namespace, name, container, tailLines) => {
    const token = kubeletTokenOf(informers.for<Secret>('Secret').get(kubeletCredentials.namespace, kubeletCredentials.name));
    const pod = informers.for<Pod>('Pod').get(namespace, name);
    const nodeName = pod?.spec.nodeName;
    const node = nodeName ? informers.for<Node>('Node').get(undefined, nodeName) : undefined;
    const endpoint = node ? kubeletEndpointOf(node) : undefined;
    if (!pod || !endpoint) return undefined;
    const containers = container ? [container] : pod.spec.containers.map((c) => c.name);
    let text = '';
    for (const one of containers) {
      const url = containerLogsURL(endpoint, namespace, name, one, tailLines);
      text += await fetchLog(url, `pod ${namespace}/${name} on node ${nodeName}`, timeoutMs, token);
    }
    return text;
  };
}

async function fetchLog(url: string, what: string, timeoutMs: number, token: string | undefined): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new KubeletLogsError(
      500,
      'InternalError',
      `the kubelet of ${what} did not answer at ${url} (${reason}); is its \`kemu agent\` running?`,
      cause,
    );
  }
  const body = await response.text();
  if (response.ok) return body;
  const message = `the kubelet of ${what} answered ${response.status}: ${body.trim()}`;
  if (response.status === 404) throw new KubeletLogsError(404, 'NotFound', message);
  if (response.status === 400) throw new KubeletLogsError(400, 'BadRequest', message);
  throw new KubeletLogsError(500, 'InternalError', message);
}
