import type { KubernetesObject } from '@kemu/core';
import type { RouteAnswer } from '@kemu/ingress';
import { IngressProxy, type ResponseCompletion } from '@kemu/ingress/proxy';
import type { EntryPoint, LabAddon } from '../lab/hooks.js';

/** The kinds the ingress proxy routes from. */
const routedKinds = [
  'Ingress',
  'IngressClass',
  'Gateway',
  'GatewayClass',
  'HTTPRoute',
  'ReferenceGrant',
  'Service',
  'EndpointSlice',
  'Secret',
] as const;

/** Options of {@link createIngress}. */
export interface IngressOptions {
  /** Port of the HTTP listener on 127.0.0.1; 0 picks a free one. Default 8080. */
  port?: number;
  /** Port of the HTTPS listener (TLS from `kubernetes.io/tls` Secrets); omit for none. */
  httpsPort?: number;
  /** Called for every routed request (the lab's traffic log). */
  onAnswer?(answer: RouteAnswer, request: { method?: string; host: string; path: string }): void;
  /** Called when each routed request's response has ended, with its status, duration and bytes. */
  onComplete?(completion: ResponseCompletion): void;
  /**
   * Where a pod endpoint is reached: the lab passes its overlay gateway (host → overlay → pod).
   * Default: the pod's own socket from the lab's address book.
   */
  reach?(podIP: string, port: number): { host: string; port: number } | undefined;
}

/** The lab's ingress: @kemu/ingress's proxy fed by the lab's informers. */
export interface LabIngress {
  addon: LabAddon;
  /** The HTTP listener's URL once started. */
  readonly url: string | undefined;
  /** Resolves when the proxy has applied every change seen so far (tests use it instead of sleeping). */
  settled(): Promise<void>;
}

/**
 * Wires @kemu/ingress into a lab: Ingresses and HTTPRoutes (and the Services, EndpointSlices and
 * Secrets they use) flow from the informers into the proxy, which reconfigures without restarting
 * its listeners; endpoints resolve to pods' real loopback ports through the lab's address book.
 */
export function createIngress(options: IngressOptions = {}): LabIngress {
  let proxy: IngressProxy | undefined;
  const objects = new Map<string, KubernetesObject>();
  let pending: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let flush: (() => void) | undefined;

  const addon: LabAddon = {
    name: 'ingress',
    async start(ctx) {
      proxy = await IngressProxy.start({
        objects: [],
        http: { port: options.port ?? 8080 },
        https: options.httpsPort === undefined ? false : { port: options.httpsPort },
        resolver: (endpoint) => {
          if (options.reach) return options.reach(endpoint.address, endpoint.port);
          const binding = ctx.pods.resolve(endpoint.address, endpoint.port);
          return binding ? { host: binding.host, port: binding.port } : undefined;
        },
      });
      if (options.onAnswer) proxy.on('answer', options.onAnswer);
      if (options.onComplete) proxy.on('complete', options.onComplete);
      flush = () => {
        timer = undefined;
        const snapshot = [...objects.values()];
        pending = pending.then(() => proxy?.apply(snapshot)).catch((error) => ctx.log(`ingress: ${(error as Error).message}`));
      };
      for (const kind of routedKinds) {
        ctx.informers.for(kind).on((event, object) => {
          const key = `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
          if (event === 'DELETED') objects.delete(key);
          else objects.set(key, object);
          // Bursts (a Deployment's EndpointSlices) become one reconfiguration.
          timer ??= setTimeout(() => flush?.(), 20);
        });
      }
      flush();
      await pending;
    },
    async close() {
      if (timer) clearTimeout(timer);
      await pending;
      await proxy?.close();
    },
    entryPoints(): EntryPoint[] {
      if (!proxy) return [];
      const points = [{ name: 'ingress', url: `http://127.0.0.1:${proxy.address('http').port}` }];
      if (options.httpsPort !== undefined)
        points.push({ name: 'ingress (TLS)', url: `https://127.0.0.1:${proxy.address('https').port}` });
      return points;
    },
  };

  return {
    addon,
    get url() {
      return proxy ? `http://127.0.0.1:${proxy.address('http').port}` : undefined;
    },
    async settled() {
      if (timer) {
        clearTimeout(timer);
        flush?.();
      }
      await pending;
    },
  };
}
