// `kemu/testing`: a whole lab inside a test — start it from YAML, send requests through its ingress.
import http from 'node:http';
import { type KubernetesObject, parseManifestsOrThrow } from '@kemu/core';
import type { TrafficHop, TrafficRecord } from '../dashboard/traffic-log.js';
import { endpointsCaughtUp } from '../lab/endpoints-caught-up.js';
import { type FullLab, startFullLab } from '../wiring/full-lab.js';

/** Options of {@link createLab}. */
export interface CreateLabOptions {
  /** Worker nodes when the manifests define none; default 1. */
  nodes?: number;
}

/** What {@link TestLab.request} answers. */
export interface LabResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (the echo app answers JSON), or undefined. */
  json: unknown;
}

/** What {@link TestLab.trace} answers. */
export interface LabTrace {
  response: LabResponse;
  /** Hop by hop: `ingress`/`HTTPRoute` rule, `service`, `endpoint`, `tunnel`, `pod` (or `status` for the proxy's own answer). */
  hops: TrafficHop[];
  /** `namespace/name` of the pod that answered, when one did. */
  pod?: string;
  /** The ingress's own measure of the request (nginx's $request_time). */
  durationMs: number;
}

/** A lab started inside a test. */
export interface TestLab {
  /** The running lab's pieces (store, pods, traffic log, …). */
  readonly full: FullLab;
  /** The ingress URL on 127.0.0.1. */
  readonly ingressURL: string;
  /** Resolves when every pod is Ready and the ingress has applied every change. */
  ready(timeoutMs?: number): Promise<void>;
  /** Applies more manifests (YAML text or objects), as `kubectl apply`. */
  apply(manifests: string | readonly KubernetesObject[]): Promise<void>;
  /** Sends a real HTTP request through the lab's ingress. */
  request(
    path: string,
    init?: { host?: string; method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<LabResponse>;
  /**
   * Sends a request through the ingress, as {@link request}, and returns it with the hops the lab
   * recorded for it: the ingress rule matched, the Service, the endpoint chosen, the overlay hop
   * and the pod that answered (what the dashboard's trace view shows).
   */
  trace(
    path: string,
    init?: { host?: string; method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<LabTrace>;
  /** Stops everything. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a lab in-process from YAML (or objects), with every port chosen free on 127.0.0.1 and no
 * dashboard or API server, so it fits in a unit test.
 * @example
 * await using lab = await createLab(`…Deployment, Service, Ingress…`);
 * await lab.ready();
 * const res = await lab.request('/', { host: 'shop.test' });
 */
export async function createLab(
  manifests: string | readonly KubernetesObject[],
  options: CreateLabOptions = {},
): Promise<TestLab> {
  const objects = typeof manifests === 'string' ? parseManifestsOrThrow(manifests, { file: '<createLab>' }) : manifests;
  const full = await startFullLab({ objects, nodes: options.nodes, api: false, ingressPort: 0, dashboardPort: false });
  const ingressURL = full.ingress.url!;
  const lab: TestLab = {
    full,
    ingressURL,
    async ready(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      await full.lab.ready(timeoutMs);
      for (;;) {
        await full.lab.settled();
        if (endpointsCaughtUp(full.lab)) break;
        if (Date.now() > deadline) throw new Error('EndpointSlices did not catch up with the Ready pods in time');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // The ingress saw the same informer events: flush its pending reconfiguration.
      await full.ingress.settled();
    },
    async apply(input) {
      await full.lab.apply(typeof input === 'string' ? parseManifestsOrThrow(input, { file: '<apply>' }) : input);
    },
    async request(path, init = {}) {
      // node:http rather than fetch: fetch will not send a Host header of the caller's choosing.
      const url = new URL(ingressURL);
      const { status, headers, text } = await new Promise<{ status: number; headers: Headers; text: string }>(
        (resolve, reject) => {
          const req = http.request(
            {
              host: url.hostname,
              port: url.port,
              path,
              method: init.method ?? 'GET',
              headers: { host: init.host ?? url.host, ...init.headers },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (chunk: Buffer) => chunks.push(chunk));
              res.on('end', () => {
                const responseHeaders = new Headers();
                for (const [name, value] of Object.entries(res.headers))
                  if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
                resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text: Buffer.concat(chunks).toString('utf8') });
              });
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.end(init.body);
        },
      );
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status, headers, text, json };
    },
    async trace(path, init = {}) {
      const url = new URL(ingressURL);
      const summary = `${init.method ?? 'GET'} ${(init.host ?? url.host).replace(/:\d+$/, '')}${path}`;
      let unsubscribe: () => void = () => undefined;
      const recorded = new Promise<TrafficRecord>((resolve) => {
        unsubscribe = full.traffic.subscribe((record) => {
          if (record.summary === summary) resolve(record);
        });
      });
      try {
        const response = await lab.request(path, init);
        const record = await recorded;
        return { response, hops: record.hops, durationMs: record.durationMs, ...(record.pod ? { pod: record.pod } : {}) };
      } finally {
        unsubscribe();
      }
    },
    close: () => full.close(),
    [Symbol.asyncDispose]: () => full.close(),
  };
  return lab;
}
export type { TrafficHop } from '../dashboard/traffic-log.js';
