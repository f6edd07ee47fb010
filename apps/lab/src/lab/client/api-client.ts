import type { KubernetesObject } from '@kemu/core';
import { type ResourceInfo, resourceOfKind, resourcePath } from '../api/resources.js';
import { LabApiError, LabUnreachableError } from '../errors.js';
import { type PodLogOptions, podLogQuery } from '../pod-log-options.js';

/** The lab API URL when neither --server nor KEMU_SERVER says otherwise. */
export const defaultServer = 'http://127.0.0.1:7443';

/** Options of {@link LabClient}. */
export interface LabClientOptions {
  /** Base URL; default KEMU_SERVER or {@link defaultServer}. */
  server?: string;
  /** Bearer token; default KEMU_TOKEN. */
  token?: string;
}

/** A small client of the lab API (what `kemu apply/get/delete/logs` use). */
export class LabClient {
  readonly server: string;
  private readonly token: string | undefined;

  constructor(options: LabClientOptions = {}) {
    this.server = (options.server ?? process.env.KEMU_SERVER ?? defaultServer).replace(/\/+$/, '');
    this.token = options.token ?? process.env.KEMU_TOKEN;
  }

  /** GET one object, or undefined on 404. */
  async get<T extends KubernetesObject>(info: ResourceInfo, namespace: string | undefined, name: string): Promise<T | undefined> {
    const response = await this.request('GET', resourcePath(info, namespace, name));
    if (response.status === 404) return undefined;
    return (await this.json(response)) as T;
  }

  /** Lists a resource in a namespace (or everywhere when namespace is undefined). */
  async list<T extends KubernetesObject>(info: ResourceInfo, namespace?: string, labelSelector?: string): Promise<T[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const response = await this.request('GET', resourcePath(info, namespace) + query);
    return ((await this.json(response)) as { items: T[] }).items;
  }

  /** Creates an object. */
  async create<T extends KubernetesObject>(object: T): Promise<T> {
    const info = resourceOfKind(object.kind);
    return (await this.json(await this.request('POST', resourcePath(info, object.metadata.namespace), object))) as T;
  }

  /** Replaces an object (compare-and-swap when it carries a resourceVersion). */
  async update<T extends KubernetesObject>(object: T): Promise<T> {
    const info = resourceOfKind(object.kind);
    return (await this.json(
      await this.request('PUT', resourcePath(info, object.metadata.namespace, object.metadata.name), object),
    )) as T;
  }

  /** Deletes an object; resolves false when it did not exist. */
  async delete(info: ResourceInfo, namespace: string | undefined, name: string): Promise<boolean> {
    const response = await this.request('DELETE', resourcePath(info, namespace, name));
    if (response.status === 404) return false;
    await this.json(response);
    return true;
  }

  /** A pod's log text (read once; `follow` is ignored). */
  async logs(namespace: string, pod: string, options: PodLogOptions = {}): Promise<string> {
    return (await this.logResponse(namespace, pod, { ...options, follow: false })).text();
  }

  /**
   * A pod's log as it arrives: with `follow` the stream lasts until the container ends or
   * `signal` aborts (which closes the connection, so the lab stops following).
   */
  async logStream(
    namespace: string,
    pod: string,
    options: PodLogOptions = {},
    signal?: AbortSignal,
  ): Promise<ReadableStream<string>> {
    const response = await this.logResponse(namespace, pod, options, signal);
    return response.body?.pipeThrough(new TextDecoderStream()) ?? new ReadableStream({ start: (c) => c.close() });
  }

  private async logResponse(namespace: string, pod: string, options: PodLogOptions, signal?: AbortSignal): Promise<Response> {
    const params = new URLSearchParams(podLogQuery(options));
    if (options.container) params.set('container', options.container);
    const query = params.size > 0 ? `?${params}` : '';
    const response = await this.request(
      'GET',
      `${resourcePath(resourceOfKind('Pod'), namespace, pod)}/log${query}`,
      undefined,
      signal,
    );
    if (!response.ok) await this.json(response);
    return response;
  }

  private async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    try {
      return await fetch(this.server + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new LabUnreachableError(this.server, (error as { cause?: unknown }).cause ?? error);
    }
  }

  private async json(response: Response): Promise<unknown> {
    const body = (await response.json().catch(() => undefined)) as
      | { kind?: string; message?: string; reason?: string }
      | undefined;
    if (!response.ok)
      throw new LabApiError(response.status, body?.reason ?? response.statusText, body?.message ?? `HTTP ${response.status}`);
    return body;
  }
}
