import http from 'node:http';
import { isIPv6 } from 'node:net';
import type { Readable } from 'node:stream';
import type { Node, Pod, Secret } from '@kemu/core';
import { KubeletLogsError } from './errors.js';
import type { InformerFactory } from './informer.js';
import { kubeletCredentials, kubeletTokenOf } from './kubelet-credentials.js';
import { type PodLogOptions, podLogQuery } from './pod-log-options.js';

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

/**
 * Opens one container's log at the kubelet of another process: the kubelet's answer as a stream
 * (it follows when asked), or undefined when the pod's node publishes no kubelet.
 */
export type RemoteLogs = (pod: Pod, container: string, options: PodLogOptions) => Promise<Readable | undefined>;

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
  options: PodLogOptions = {},
): string {
  const host = isIPv6(endpoint.address) ? `[${endpoint.address}]` : endpoint.address;
  const path = [namespace, pod, container].map(encodeURIComponent).join('/');
  return `http://${host}:${endpoint.port}/containerLogs/${path}${podLogQuery(options)}`;
}

/**
 * The API server's pods/log for pods that run in a `kemu agent` process: as upstream's LogLocation
 * (pkg/registry/core/pod/strategy.go) it finds the pod's node, dials the node's kubelet at the
 * address and daemon port the Node publishes, passes the options on in the query, and streams
 * what `/containerLogs` answers (genericrest.LocationStreamer). Kubelet errors 400/404 pass through
 * (genericrest's HTTP response checker: a 400 is a BadRequest with the kubelet's text), anything
 * else is a 500. `timeoutMs` bounds the wait for the kubelet's answer, not a followed stream.
 */
export function kubeletLogs(informers: InformerFactory, timeoutMs = 10_000): RemoteLogs {
  informers.for<Secret>('Secret');
  return async (pod, container, options) => {
    const token = kubeletTokenOf(informers.for<Secret>('Secret').get(kubeletCredentials.namespace, kubeletCredentials.name));
    const nodeName = pod.spec.nodeName;
    const node = nodeName ? informers.for<Node>('Node').get(undefined, nodeName) : undefined;
    const endpoint = node ? kubeletEndpointOf(node) : undefined;
    if (!endpoint) return undefined;
    const { namespace = 'default', name } = pod.metadata;
    const url = containerLogsURL(endpoint, namespace, name, container, options);
    return openKubeletLog(url, `pod ${namespace}/${name} on node ${nodeName}`, timeoutMs, token);
  };
}

/** GETs a kubelet log URL: the body stream on 200, a {@link KubeletLogsError} otherwise. */
function openKubeletLog(url: string, what: string, timeoutMs: number, token: string | undefined): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : undefined;
    // Its own connection: destroying the stream (the client went away) closes it, and the kubelet stops following.
    const request = http.get(url, { agent: false, headers }, (response) => {
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
      const cause = (error as { cause?: unknown }).cause ?? error;
      const reason = cause instanceof Error ? cause.message : String(cause);
      reject(
        new KubeletLogsError(
          500,
          'InternalError',
          `the kubelet of ${what} did not answer at ${url} (${reason}); is its \`kemu agent\` running?`,
          cause,
        ),
      );
    });
  });
}

function kubeletError(status: number, body: string, what: string): KubeletLogsError {
  if (status === 400) return new KubeletLogsError(400, 'BadRequest', body);
  const message = `the kubelet of ${what} answered ${status}: ${body}`;
  if (status === 404) return new KubeletLogsError(404, 'NotFound', message);
  return new KubeletLogsError(500, 'InternalError', message);
}
