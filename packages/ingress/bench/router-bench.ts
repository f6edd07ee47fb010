// Router benchmarks: 100,000 hosts × 3 paths (compile, heap, uniform matches/s) and a
// path-only table against find-my-way (fastify's router) on the same paths.
import type { EndpointSlice, Ingress, IngressClass, KubernetesObject, Service } from '@kemu/core';
import FindMyWay from 'find-my-way';
import { type HTTPRequest, IngressRouter, SegmentTrie } from '../src/index.js';

/** A flat string, as a YAML or HTTP parser hands it over (template literals build cons strings). */
const flat = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};

function fixtures(hosts: number): KubernetesObject[] {
  const objects: KubernetesObject[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'nginx' },
      spec: { controller: 'k8s.io/ingress-nginx' },
    } as IngressClass,
  ];
  for (let s = 0; s < 10; s++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc${s}`, namespace: 'default' },
      spec: { ports: [{ name: 'http', port: 80 }] },
    } as Service);
    objects.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `svc${s}-a`, namespace: 'default', labels: { 'kubernetes.io/service-name': `svc${s}` } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [`10.244.0.${s + 1}`] }],
      ports: [{ name: 'http', port: 8080 }],
    } as EndpointSlice);
  }
  for (let h = 0; h < hosts; h++) {
    const backend = (p: number) => ({ service: { name: `svc${(h + p) % 10}`, port: { number: 80 } } });
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: `app${h}`, namespace: 'default' },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: flat(`app${h}.example.com`),
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: backend(0) },
                { path: '/api', pathType: 'Prefix', backend: backend(1) },
                { path: '/static/assets', pathType: 'Prefix', backend: backend(2) },
              ],
            },
          },
        ],
      },
    } as Ingress);
  }
  return objects;
}

/** Runs `fn` over `inputs` for about `ms` milliseconds; returns operations per second. */
function rate<T>(inputs: readonly T[], fn: (input: T) => unknown, ms: number): number {
  let ops = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  for (;;) {
    for (let i = 0; i < 10_000; i++) {
      if (fn(inputs[(ops + i) % inputs.length] as T)) sink++;
    }
    ops += 10_000;
    if (process.hrtime.bigint() - start > budget) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) console.log(sink);
  return ops / seconds;
}

/** The figures of the router benchmarks. */
export interface RouterFigures {
  hosts: number;
  compileMs: number;
  heapMB: number;
  matchesPerSecond: number;
  pathRules: number;
  trieLookups: number;
  findMyWayLookups: number;
}

/** The compiled router over `hosts` hosts × 3 paths, with 200k requests to hosts picked uniformly. */
export function routerMatchSetup(hosts: number): {
  router: IngressRouter;
  requests: HTTPRequest[];
  compileMs: number;
  heapMB: number;
} {
  const objects = fixtures(hosts);
  const before = heap();
  const t0 = performance.now();
  const router = new IngressRouter(objects);
  const compileMs = performance.now() - t0;
  const heapMB = (heap() - before) / 1024 / 1024;
  const paths = ['/', '/api/v1/items', '/static/assets/app.js', '/other'];
  const requests: HTTPRequest[] = [];
  for (let i = 0; i < 200_000; i++) {
    const h = Math.floor(Math.random() * hosts);
    requests.push({ host: flat(`app${h}.example.com`), path: paths[i % paths.length] as string });
  }
  return { router, requests, compileMs, heapMB };
}

/** 100k hosts × 3 paths, then a path-only table vs find-my-way. */
export function routerBench(hosts = 100_000): RouterFigures {
  const { router, requests, compileMs, heapMB } = routerMatchSetup(hosts);
  rate(requests, (r) => router.match(r), 300);
  const matchesPerSecond = rate(requests, (r) => router.match(r).outcome.type === 'backend', 3000);

  // Path-only: 1,000 Prefix rules `/svcN/api`, requests under them, both routers hold the same rules.
  const pathRules = 1000;
  const trie = new SegmentTrie<number>({ strict: false });
  const fmw = FindMyWay();
  for (let n = 0; n < pathRules; n++) {
    trie.insert(`/svc${n}/api`, n);
    // Ingress Prefix needs both the path itself and everything under it in find-my-way.
    fmw.on('GET', `/svc${n}/api`, () => n);
    fmw.on('GET', `/svc${n}/api/*`, () => n);
  }
  const lookups = Array.from(
    { length: 100_000 },
    (_, i) => `/svc${Math.floor(Math.random() * pathRules)}/api${i % 2 ? '/items/42' : ''}`,
  );
  rate(lookups, (p) => trie.longest(p), 200);
  rate(lookups, (p) => fmw.find('GET', p), 200);
  const trieLookups = rate(lookups, (p) => trie.longest(p) !== undefined, 2000);
  const findMyWayLookups = rate(lookups, (p) => fmw.find('GET', p) !== null, 2000);
  return { hosts, compileMs, heapMB, matchesPerSecond, pathRules, trieLookups, findMyWayLookups };
}
