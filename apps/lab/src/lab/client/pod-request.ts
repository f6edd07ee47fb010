// A request made from inside a pod's network: sent to the pod's own HTTP proxy on its node agent
// (published in the kemu.dev/pod-network annotation), which applies NetworkPolicy, resolves
// ClusterIPs to an endpoint and carries the bytes over the bridge or the HTTP/2 tunnel.
import http from 'node:http';
import { hopsHeader, parseHops, reasonHeader } from '@kemu/cni/agent';
import type { Pod } from '@kemu/core';
import { resourceOfKind } from '../api/resources.js';
import { PodNotRunningError } from '../errors.js';
import { readPodNetwork } from '../runtime/pod-network-annotation.js';
import type { LabClient } from './api-client.js';

/** A running pod and where its network can be entered. */
export interface RunningPod {
  pod: Pod;
  namespace: string;
  name: string;
  podIP: string;
  node: string;
  /** The pod's HTTP proxy (`http://127.0.0.x:PORT`). */
  httpProxy: string;
}

/**
 * Splits a pod reference as kubectl takes it: `pod/NAME`, `pods/NAME`, `po/NAME` or `NAME` (in
 * `namespace`); `NS/NAME` (the model trace's form) names the namespace too.
 */
export function parsePodRef(ref: string, namespace: string): { namespace: string; name: string } | undefined {
  const m = /^(?:([^/]+)\/)?([^/]+)$/.exec(ref);
  const name = m?.[2];
  if (!name) return undefined;
  const prefix = m?.[1];
  if (prefix === undefined || ['pod', 'pods', 'po'].includes(prefix.toLowerCase())) return { namespace, name };
  return { namespace: prefix, name };
}

/** Reads the pod from the lab API; throws {@link PodNotRunningError} unless it runs with a published network. */
export async function runningPod(client: LabClient, namespace: string, name: string): Promise<RunningPod> {
  const pod = await client.get<Pod>(resourceOfKind('Pod'), namespace, name);
  if (!pod) throw new PodNotRunningError(`${namespace}/${name} (not found)`);
  const network = readPodNetwork(pod);
  const podIP = pod.status?.podIP;
  if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp || !podIP || !network?.httpProxy) {
    const state = pod.metadata.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Pending');
    throw new PodNotRunningError(`${namespace}/${name} (${state})`);
  }
  return { pod, namespace, name, podIP, node: network.node, httpProxy: network.httpProxy };
}

/** One request to send from a pod. */
export interface PodRequest {
  /** Absolute URL; a name as host is resolved by the pod's agent as the pod would (`kemu curl` resolves first, see resolveHost). */
  url: URL;
  /** The Host header (the name as written); default the URL's host. */
  host?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Give up after this many milliseconds; default 10 000. */
  timeoutMs?: number;
}

/** What came back through the pod's proxy. */
export interface PodResponse {
  status: number;
  statusMessage: string;
  /** Header lines as received, in order (for `curl -i`). */
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** What the node agents did (`service A -> B`, `bridge`, `tunnel n1 -> n2`). */
  hops: string[];
  /** Set when the pod network itself refused (NetworkPolicy denial, no such pod, no endpoint). */
  refusal?: string;
}

/** Sends `request` through the pod's HTTP proxy as an absolute-form request (RFC 9112 §3.2.2). */
export function sendFromPod(pod: RunningPod, request: PodRequest): Promise<PodResponse> {
  const proxy = new URL(pod.httpProxy);
  const headers: Record<string, string> = { host: request.host ?? request.url.host, ...(request.headers ?? {}) };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: proxy.hostname.replace(/^\[|\]$/g, ''),
        port: Number(proxy.port),
        method: request.method ?? 'GET',
        path: request.url.href,
        headers,
        timeout: request.timeoutMs ?? 10_000,
        // One connection per request, closed after it: a CLI run must not keep a socket to the agent.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const reason = res.headers[reasonHeader];
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            rawHeaders: pairs(res.rawHeaders),
            headers: res.headers,
            body: Buffer.concat(chunks),
            hops: parseHops(single(res.headers[hopsHeader])),
            ...(typeof reason === 'string' ? { refusal: decodeURIComponent(reason) } : {}),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${request.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function pairs(raw: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  return lines;
}

/** What the kemu/echo app says about itself in a JSON answer: which pod answered, where. */
export interface EchoAnswer {
  pod: string;
  namespace?: string;
  node?: string;
  podIP?: string;
}

/** The answering pod from a kemu/echo JSON body, or undefined for any other body. */
export function echoAnswer(response: PodResponse): EchoAnswer | undefined {
  if (!String(response.headers['content-type'] ?? '').includes('json')) return undefined;
  try {
    const body = JSON.parse(response.body.toString('utf8')) as Partial<EchoAnswer>;
    return typeof body.pod === 'string' ? (body as EchoAnswer) : undefined;
  } catch {
    return undefined;
  }
}
