import https from 'node:https';
import { isIPv6 } from 'node:net';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Node, Pod, Secret } from '@kemu/core';
import { KubeletLogsError } from './errors.js';
import type { InformerFactory } from './informer.js';
import { kubeletCredentials, kubeletTokenOf } from './kubelet-credentials.js';
import { dialKubelet, type KubeletEndpoint, kubeletServingCertAnnotation } from './kubelet-dial.js';
import { type PodLogOptions, podLogQuery } from './pod-log-options.js';

/**
 * The Node annotation with the address its agent advertises (flannel's, written by the agent's
 * @kemu/cni endpoint, wiring/cni-directory.ts). InternalIP stays a virtual address no socket dials.
 */
export const publicIPAnnotation = 'flannel.alpha.coreos.com/public-ip';

export { type KubeletEndpoint, kubeletServingCertAnnotation } from './kubelet-dial.js';

/**
 * Opens one container's log at the kubelet of another process: the kubelet's answer as a stream
 * (it follows when asked), or undefined when the pod's node publishes no kubelet.
 */
export type RemoteLogs = (pod: Pod, container: string, options: PodLogOptions) => Promise<Readable | undefined>;

/**
 * The kubelet a Node publishes: its agent's advertise address, `status.daemonEndpoints.kubeletEndpoint.Port`
 * and the fingerprint of its serving certificate (kemu.dev/kubelet-serving-cert-sha256).
 */
export function kubeletEndpointOf(node: Node): KubeletEndpoint | undefined {
  const annotations = node.metadata.annotations ?? {};
  const address = annotations[publicIPAnnotation];
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port || !(port > 0)) return undefined;
  const certificateSHA256 = annotations[kubeletServingCertAnnotation];
  return certificateSHA256 ? { address, port, certificateSHA256 } : { address, port };
}

/** The kubelet URL of one container's log (pkg/kubelet/server/server.go `/containerLogs/{ns}/{pod}/{container}`). */
export function containerLogsURL(
  endpoint: KubeletEndpoint,
  namespace: string,
  pod: string,
  container: string,
  options: PodLogOptions = {},
): string {
  const host = isIPv6(endpoint.address) ? `[${endpoint.address}]` : endpoint.address;
  const path = [namespace, pod, container].map(encodeURIComponent).join('/');
  return `https://${host}:${endpoint.port}/containerLogs/${path}${podLogQuery(options)}`;
}

/**
 * The API server's pods/log for pods that run in a `kemu agent` process: as upstream's LogLocation
 * (pkg/registry/core/pod/strategy.go) it finds the pod's node, dials the node's kubelet over HTTPS
 * at the address and daemon port the Node publishes (pinning the certificate the Node names, see
 * kubelet-dial.ts), passes the options on in the query, and streams what `/containerLogs` answers
 * (genericrest.LocationStreamer). Kubelet errors 400/404 pass through (genericrest's HTTP response
 * checker: a 400 is a BadRequest with the kubelet's text), anything else is a 500. `timeoutMs`
 * bounds the connection and the wait for the kubelet's answer, not a followed stream.
 */
export function kubeletLogs(informers: InformerFactory, timeoutMs = 10_000): RemoteLogs {
  informers.for<Secret>('Secret');
  return async (pod, container, options) => {
    const token = kubeletTokenOf(informers.for<Secret>('Secret').get(kubeletCredentials.namespace, kubeletCredentials.name));
    const nodeName = pod.spec.nodeName;
    const node = nodeName ? informers.for<Node>('Node').get(undefined, nodeName) : undefined;
    const endpoint = node ? kubeletEndpointOf(node) : undefined;
    if (!endpoint || !nodeName) return undefined;
    const { namespace = 'default', name } = pod.metadata;
    const url = containerLogsURL(endpoint, namespace, name, container, options);
    const what = `pod ${namespace}/${name} on node ${nodeName}`;
    const socket = await dialKubelet(nodeName, endpoint, timeoutMs).catch((error: unknown) => {
      throw error instanceof KubeletLogsError ? error : unreachable(url, what, error);
    });
    return openKubeletLog(url, socket, what, timeoutMs, token);
  };
}

/** GETs a kubelet log URL over a pinned connection: the body stream on 200, a {@link KubeletLogsError} otherwise. */
function openKubeletLog(
  url: string,
  socket: TLSSocket,
  what: string,
  timeoutMs: number,
  token: string | undefined,
): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : undefined;
    // Its own connection: destroying the stream (the client went away) closes it, and the kubelet stops following.
    const request = https.get(url, { createConnection: () => socket, headers }, (response) => {
      clearTimeout(timer);
      if (response.statusCode === 200) return resolve(response);
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('error', () => undefined);
      response.on('end', () => reject(kubeletError(response.statusCode ?? 0, body.trim(), what)));
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(unreachable(url, what, error));
    });
  });
}

/** The 500 for a kubelet that could not be reached or gave no answer in time. */
function unreachable(url: string, what: string, error: unknown): KubeletLogsError {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new KubeletLogsError(
    500,
    'InternalError',
    `the kubelet of ${what} did not answer at ${url} (${reason}); is its \`kemu agent\` running?`,
    cause,
  );
}

function kubeletError(status: number, body: string, what: string): KubeletLogsError {
  if (status === 400) return new KubeletLogsError(400, 'BadRequest', body);
  const message = `the kubelet of ${what} answered ${status}: ${body}`;
  if (status === 404) return new KubeletLogsError(404, 'NotFound', message);
  return new KubeletLogsError(500, 'InternalError', message);
}
