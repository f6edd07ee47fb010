// One object set, two routers: ingress-nginx for Ingresses, Gateway API for HTTPRoutes.
// They share the Service/EndpointSlice/Secret index, the request type and the answer type,
// so `kemu migrate` can ask both about the same request and compare.
import type { KubernetesObject } from '@kemu/core';
import { ObjectIndex } from './backends.js';
import { GatewayRouter, type GatewayRouterOptions } from './gateway/router.js';
import { IngressRouter, type IngressRouterOptions } from './ingress/router.js';
import type { RouterIssue } from './issues.js';
import type { HTTPRequest, RouteAnswer } from './request.js';

/** Options of {@link Router}. */
export interface RouterOptions {
  ingress?: IngressRouterOptions;
  gateway?: GatewayRouterOptions;
}

/** Which router answers: `auto` picks Gateway API when a served listener uses the request's port. */
export type DataPlaneChoice = 'auto' | 'ingress-nginx' | 'gateway';

/**
 * Both routers over one object set.
 * @example
 * const router = compileRouter(parseManifestsOrThrow(yaml));
 * router.match({ host: 'shop.example.com', path: '/cart' }).outcome
 */
export class Router {
  readonly index: ObjectIndex;
  readonly ingress: IngressRouter;
  readonly gateway: GatewayRouter;
  /** Bumped by every apply/delete: the configuration generation. */
  generation = 1;

  constructor(objects: readonly KubernetesObject[], options: RouterOptions = {}) {
    this.index = ObjectIndex.from(objects);
    this.ingress = new IngressRouter(objects, options.ingress, this.index);
    this.gateway = new GatewayRouter(objects, options.gateway, this.index);
  }

  /** Problems in the input, from both routers. */
  get issues(): RouterIssue[] {
    return [...this.ingress.issues, ...this.gateway.issues];
  }

  /** Adds or replaces objects (only what they touch is recompiled). */
  apply(objects: readonly KubernetesObject[]): number {
    for (const object of objects) this.index.upsert(object);
    this.ingress.apply(objects.filter((o) => o.kind === 'Ingress' || o.kind === 'IngressClass'));
    this.gateway.apply(
      objects.filter((o) => ['Gateway', 'GatewayClass', 'HTTPRoute', 'ReferenceGrant', 'Service', 'Namespace'].includes(o.kind)),
    );
    return ++this.generation;
  }

  /** Deletes objects by kind, namespace and name. */
  delete(objects: readonly Pick<KubernetesObject, 'kind' | 'metadata'>[]): number {
    for (const object of objects) this.index.remove(object);
    this.ingress.delete(objects.filter((o) => o.kind === 'Ingress' || o.kind === 'IngressClass'));
    this.gateway.delete(objects.filter((o) => ['Gateway', 'GatewayClass', 'HTTPRoute', 'ReferenceGrant'].includes(o.kind)));
    return ++this.generation;
  }

  /** The answer for one request. */
  match(request: HTTPRequest, dataPlane: DataPlaneChoice = 'auto'): RouteAnswer {
    return this.pick(request, dataPlane).match(request);
  }

  /** The answer with every rule considered and why it lost. */
  explain(request: HTTPRequest, dataPlane: DataPlaneChoice = 'auto'): RouteAnswer {
    return this.pick(request, dataPlane).explain(request);
  }

  private pick(request: HTTPRequest, dataPlane: DataPlaneChoice): IngressRouter | GatewayRouter {
    if (dataPlane === 'ingress-nginx') return this.ingress;
    if (dataPlane === 'gateway') return this.gateway;
    const port = request.port ?? (request.scheme === 'https' ? 443 : 80);
    return this.gateway.ports.includes(port) ? this.gateway : this.ingress;
  }
}

/** Compiles a router over `objects`. */
export function compileRouter(objects: readonly KubernetesObject[], options: RouterOptions = {}): Router {
  return new Router(objects, options);
}
