import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  formatIssue,
  type KubernetesObject,
  type Pod,
  parseManifests,
  type Store,
  StoreGoneError,
  StoreNotFoundError,
} from '@kemu/core';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Admission } from '../admission.js';
import { InvalidObjectError } from '../errors.js';
import { deletePodGracefully } from '../pods.js';
import { compileFieldSelector } from './field-selector.js';
import { mergePatch } from './merge-patch.js';
import { isLoopback, parsePath, type Target } from './paths.js';
import { openPodLog, type PodLogSources, podLogOptionsOf } from './pod-log.js';
import { failure, type Status, statusOf } from './status.js';

/** Options of {@link LabApiServer}; `logs` and `remoteLogs` serve pods/log. */
export interface LabApiServerOptions extends PodLogSources {
  store: Store;
  admission: Admission;
  /** Bind address; default 127.0.0.1. Anything but loopback requires a bearer token. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** Bearer token; generated when binding beyond loopback and none is given. */
  token?: string;
}

/** One request the server answered (request tracing). */
export interface ApiRequestTrace {
  id: string;
  method: string;
  url: string;
  status: number;
  durationMs: number;
}

/**
 * The lab's API server (fastify): Kubernetes-shaped REST paths for create / get / list / update /
 * patch / delete, watch as newline-delimited JSON events with the store's resourceVersion
 * semantics, Status objects for errors, pod logs, `/healthz`, and request traces.
 */
export class LabApiServer {
  readonly token: string | undefined;
  private readonly app: FastifyInstance;
  private readonly traces: ApiRequestTrace[] = [];
  private readonly watches = new Set<{ close(): void }>();
  private readonly logStreams = new Set<Readable>();
  private address = '';

  constructor(private readonly options: LabApiServerOptions) {
    const host = options.host ?? '127.0.0.1';
    this.token = options.token ?? (isLoopback(host) ? undefined : randomBytes(24).toString('base64url'));
    // forceCloseConnections: on close, also drop connections that carry no request yet (undici opens
    // one after an aborted stream); otherwise shutdown waits for Node's 60 s headersTimeout on them.
    this.app = Fastify({
      logger: false,
      forceCloseConnections: true,
      genReqId: () => randomBytes(6).toString('hex'),
      bodyLimit: 16 * 1024 * 1024,
    });
    this.app.addContentTypeParser(
      ['application/merge-patch+json', 'application/strategic-merge-patch+json'],
      { parseAs: 'string' },
      (_req, body, done) => {
        try {
          done(null, JSON.parse(body as string));
        } catch (error) {
          done(error as Error, undefined);
        }
      },
    );
    this.app.addHook('onRequest', async (request, reply) => {
      reply.header('x-kemu-request-id', request.id);
      if (this.token === undefined || /^\/(healthz|livez|readyz)$/.test(request.url)) return;
      const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const a = Buffer.from(given);
      const b = Buffer.from(this.token);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        await reply.code(401).send(failure(401, 'Unauthorized', 'Unauthorized'));
      }
    });
    this.app.addHook('onResponse', async (request, reply) => {
      this.traces.push({
        id: request.id,
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        durationMs: reply.elapsedTime,
      });
      if (this.traces.length > 1000) this.traces.splice(0, this.traces.length - 1000);
    });
    for (const path of ['/healthz', '/livez', '/readyz'])
      this.app.get(path, async (_req, reply) => reply.type('text/plain').send('ok'));
    this.app.get('/version', async () => ({
      major: '1',
      minor: '34',
      gitVersion: 'v1.34.0-kemu',
      platform: `${process.platform}/${process.arch}`,
    }));
    this.app.all('/api/*', (request, reply) => this.handle(request, reply));
    this.app.all('/apis/*', (request, reply) => this.handle(request, reply));
    this.app.setNotFoundHandler(async (_request, reply) =>
      reply.code(404).send(failure(404, 'NotFound', 'the server could not find the requested resource')),
    );
  }

  /** Starts listening; resolves with the base URL. */
  async start(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await this.app.listen({ host, port: this.options.port ?? 0 });
    const address = this.app.server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.address = `http://${shown}:${address.port}`;
    return this.address;
  }

  /** The base URL once started. */
  get url(): string {
    return this.address;
  }

  /** The last requests answered (newest last). */
  recentRequests(): readonly ApiRequestTrace[] {
    return this.traces;
  }

  /** Ends every watch and log stream and stops listening. */
  async close(): Promise<void> {
    for (const watch of this.watches) watch.close();
    for (const log of this.logStreams) log.destroy();
    await this.app.close();
  }

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    let target: Target | undefined;
    try {
      target = parsePath(new URL(request.url, 'http://kemu').pathname);
      const query = request.query as Record<string, string | undefined>;
      switch (request.method) {
        case 'GET':
          if (target.subresource === 'log') return await this.log(target, request, reply);
          if (target.name) return await this.get(target);
          if (query.watch === '1' || query.watch === 'true') return await this.watch(target, query, request, reply);
          return await this.list(target, query);
        case 'POST':
          return reply.code(201).send(await this.create(target, request.body));
        case 'PUT':
          return await this.update(target, request.body);
        case 'PATCH':
          return await this.patch(target, request.body);
        case 'DELETE':
          return await this.delete(target, query);
        default:
          return reply.code(405).send(failure(405, 'MethodNotAllowed', `method ${request.method} is not supported`));
      }
    } catch (error) {
      const status: Status = statusOf(error, {
        resource: target?.info.resource,
        group: target?.info.group || undefined,
        name: target?.name,
      });
      return reply.code(status.code).send(status);
    }
  }

  private key(target: Target, name = target.name) {
    return target.info.namespaced
      ? { kind: target.info.kind, namespace: target.namespace ?? 'default', name: name ?? '' }
      : { kind: target.info.kind, name: name ?? '' };
  }

  private async get(target: Target): Promise<KubernetesObject> {
    const object = await this.options.store.get(this.key(target));
    if (!object) throw new StoreNotFoundError(target.name ?? '');
    return object;
  }

  private async list(target: Target, query: Record<string, string | undefined>) {
    const matches = compileFieldSelector(query.fieldSelector);
    const listed = await this.options.store.list(target.info.kind, {
      namespace: target.info.namespaced ? target.namespace : undefined,
      labelSelector: query.labelSelector || undefined,
    });
    const { resourceVersion } = listed;
    const items = listed.items.filter(matches);
    const apiVersion = target.info.group ? `${target.info.group}/${target.info.version}` : target.info.version;
    return { apiVersion, kind: `${target.info.kind}List`, metadata: { resourceVersion }, items };
  }

  private async watch(
    target: Target,
    query: Record<string, string | undefined>,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const matches = compileFieldSelector(query.fieldSelector);
    const watch = this.options.store.watch({
      kind: target.info.kind,
      namespace: target.info.namespaced ? target.namespace : undefined,
      labelSelector: query.labelSelector || undefined,
      resourceVersion: query.resourceVersion || undefined,
    });
    this.watches.add(watch);
    const raw = reply.hijack().raw;
    raw.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache', 'x-kemu-request-id': request.id });
    raw.flushHeaders();
    const timeout = query.timeoutSeconds ? setTimeout(() => watch.close(), Number(query.timeoutSeconds) * 1000) : undefined;
    request.raw.on('close', () => watch.close());
    try {
      for await (const event of watch) if (matches(event.object)) raw.write(`${JSON.stringify(event)}\n`);
    } catch (error) {
      // A watch from a compacted resourceVersion ends with an ERROR event carrying 410 Expired.
      const status = error instanceof StoreGoneError ? failure(410, 'Expired', error.message) : statusOf(error);
      raw.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    } finally {
      if (timeout) clearTimeout(timeout);
      this.watches.delete(watch);
      raw.end();
    }
    return reply;
  }

  /** Validates and defaults a body as a manifest would be (422 Invalid with every issue). */
  private validated(target: Target, body: unknown): KubernetesObject {
    if (!body || typeof body !== 'object') throw new InvalidObjectError(target.info.kind, 'body', 'a JSON object is required');
    const object = body as KubernetesObject;
    if (object.kind !== target.info.kind) {
      throw new InvalidObjectError(
        target.info.kind,
        'kind',
        `Invalid value: "${String(object.kind)}": must be ${target.info.kind} for ${target.info.resource}`,
      );
    }
    object.metadata ??= { name: '' };
    if (target.info.namespaced) {
      const namespace = target.namespace ?? object.metadata.namespace ?? 'default';
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw new InvalidObjectError(
          target.info.kind,
          'metadata.namespace',
          `Invalid value: "${object.metadata.namespace}": does not match the namespace of the request (${namespace})`,
        );
      }
      object.metadata.namespace = namespace;
    }
    if (!object.metadata.name && object.metadata.generateName)
      object.metadata.name = `${object.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    if (object.kind === 'Lease') return object;
    const result = parseManifests(JSON.stringify(object), { file: 'request', namespace: object.metadata.namespace });
    const errors = result.issues.filter((i) => i.severity === 'error');
    if (errors.length > 0 || !result.objects[0])
      throw new InvalidObjectError(`${object.kind} "${object.metadata.name}"`, 'body', errors.map(formatIssue).join('; '));
    const parsed = result.objects[0];
    parsed.metadata.resourceVersion = object.metadata.resourceVersion;
    return parsed;
  }

  private async create(target: Target, body: unknown): Promise<KubernetesObject> {
    const object = this.validated(target, body);
    target.name = object.metadata.name;
    delete object.metadata.resourceVersion;
    return this.options.store.create(await this.options.admission.admit(object));
  }

  private async update(target: Target, body: unknown): Promise<KubernetesObject> {
    const object = this.validated(target, body);
    if (object.metadata.name !== target.name) {
      throw new InvalidObjectError(
        target.info.kind,
        'metadata.name',
        `Invalid value: "${object.metadata.name}": does not match the name in the URL (${target.name})`,
      );
    }
    const current = await this.get(target);
    return this.options.store.update(await this.options.admission.admit(object, current));
  }

  private async patch(target: Target, body: unknown): Promise<KubernetesObject> {
    const current = await this.get(target);
    const patched = mergePatch(current, body) as KubernetesObject;
    patched.metadata.resourceVersion = current.metadata.resourceVersion;
    return this.options.store.update(await this.options.admission.admit(this.validated(target, patched), current));
  }

  private async delete(target: Target, query: Record<string, string | undefined>): Promise<KubernetesObject> {
    const current = await this.get(target);
    if (current.kind === 'Pod') {
      // Pods on a node shut down gracefully; their kubelet removes them (strategy.go CheckGracefulDelete).
      const grace = query.gracePeriodSeconds === undefined ? undefined : Number(query.gracePeriodSeconds);
      await deletePodGracefully(this.options.store, current as Pod, grace);
      return (await this.options.store.get(this.key(target))) ?? current;
    }
    const deleted = await this.options.store.delete(this.key(target));
    await this.options.admission.release(deleted);
    return deleted;
  }

  /** pods/log: the container's log as text, written out as the kubelet sends it (followed with `follow=true`). */
  private async log(target: Target, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const options = podLogOptionsOf(request.url, target.name ?? '');
    const opened = await openPodLog((await this.get(target)) as Pod, options, this.options);
    if (!(opened instanceof Readable)) return reply.code(opened.code).send(opened);
    this.logStreams.add(opened);
    const raw = reply.hijack().raw;
    raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-kemu-request-id': request.id });
    raw.flushHeaders();
    try {
      // A client that goes away ends the pipeline, which destroys the log stream: the kubelet stops following.
      await pipeline(opened, raw);
    } catch {
      // The client went away, or the kubelet's stream broke off: the response is already cut.
    } finally {
      this.logStreams.delete(opened);
    }
    return reply;
  }
}
