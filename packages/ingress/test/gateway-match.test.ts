// The Gateway router's match() takes shortcuts explain() does not: the contenders of the last host
// per listener (src/gateway/choose.ts) and answer plans of rules without filters
// (src/gateway/answer.ts). Both must give the answer of the full lookup, whatever the listeners,
// route hostnames, matches, filters and weights (gateway-api httproute_types.go precedence,
// hostname intersection and weighted backendRefs).
import { parseManifestsOrThrow } from '@kemu/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayRouter, type RouteAnswer } from '../src/index.js';
import { expectEndpointChangesFollowed, serviceYaml } from './fixtures.js';

const listenerChoices = [
  { name: 'exact', port: 80, protocol: 'HTTP', hostname: 'a.example.com' },
  { name: 'wild', port: 80, protocol: 'HTTP', hostname: '*.example.com' },
  { name: 'any', port: 80, protocol: 'HTTP' },
  { name: 'tls', port: 443, protocol: 'HTTPS', hostname: 'a.example.com' },
];
const hostnames = ['a.example.com', '*.example.com', 'b.example.com', 'x.a.example.com'];
const paths = ['/', '/a', '/a/', '/ab', '/a/b'];
const filters = [
  [],
  [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-set', value: '1' }] } }],
  [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/z' } } }],
];

const match = fc.record({
  path: fc.record({ type: fc.constantFrom('Exact', 'PathPrefix', 'RegularExpression'), value: fc.constantFrom(...paths) }),
  method: fc.constantFrom(undefined, 'GET', 'POST'),
  headers: fc.constantFrom(undefined, [{ name: 'x-v', value: '1' }]),
});
const rule = fc.record({
  matches: fc.array(match, { maxLength: 2 }),
  filters: fc.constantFrom(...filters),
  backendRefs: fc.array(
    fc.record({ name: fc.constantFrom('s0', 's1', 's2', 'missing'), port: fc.constant(80), weight: fc.constantFrom(0, 1, 3) }),
    { minLength: 1, maxLength: 2 },
  ),
});
const route = fc.record({
  hostnames: fc.subarray(hostnames),
  rules: fc.array(rule, { minLength: 1, maxLength: 3 }),
});
const request = fc.record({
  host: fc.constantFrom('a.example.com', 'A.EXAMPLE.COM:80', 'b.example.com', 'x.a.example.com', 'c.other'),
  path: fc.constantFrom('/', '/a', '/a/', '/a/b', '/ab', '/abc', '/a/b?q=1'),
  scheme: fc.constantFrom('http' as const, 'https' as const),
  method: fc.constantFrom('GET', 'POST'),
  headers: fc.constantFrom<Record<string, string>>({}, { 'x-v': '1' }),
  random: fc.constantFrom(0, 0.3, 0.99),
});

type RouteSpec = typeof route extends fc.Arbitrary<infer T> ? T : never;

function routerFor(listeners: object[], routes: RouteSpec[]): GatewayRouter {
  const gateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' } };
  const docs = [
    JSON.stringify({ ...gateway, spec: { gatewayClassName: 'kemu', listeners } }),
    ...routes.map((spec, i) =>
      JSON.stringify({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: `r${i}` },
        spec: { parentRefs: [{ name: 'gw' }], ...spec },
      }),
    ),
    serviceYaml('s0'),
    serviceYaml('s1'),
    serviceYaml('s2', []),
  ];
  return new GatewayRouter(parseManifestsOrThrow(docs.join('\n---\n')));
}

/** The answer without the explain() trail. */
const plain = (answer: RouteAnswer): RouteAnswer => ({ ...answer, explanation: [] });

describe('Gateway match() shortcuts', () => {
  it('answers like explain() for any listeners, routes and requests, first and repeated', () => {
    fc.assert(
      fc.property(
        fc.subarray(listenerChoices, { minLength: 1 }),
        fc.array(route, { minLength: 1, maxLength: 3 }),
        fc.array(request, { minLength: 1, maxLength: 12 }),
        (listeners, routes, requests) => {
          const router = routerFor(listeners, routes);
          for (const r of requests) {
            const full = plain(router.explain(r));
            expect(router.match(r)).toEqual(full);
            expect(router.match(r)).toEqual(full);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('follows endpoint changes after an answer was planned', () => {
    // Endpoints are looked up at match time (no recompile): a planned answer must not go stale.
    const router = routerFor(
      [listenerChoices[2]!],
      [{ hostnames: [], rules: [{ matches: [], filters: [], backendRefs: [{ name: 's0', port: 80, weight: 1 }] }] }],
    );
    expectEndpointChangesFollowed(router, { host: 'a.example.com', path: '/x' });
  });
});
