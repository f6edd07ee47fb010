// The match() fast path (path tables + shared backend plans, src/ingress/path-table.ts) must give
// exactly the answer of the full lookup, which explain() always takes (ngx_http_core_find_location
// order: `=` exact, auto_redirect, longest prefix; then the answer phases of answer.ts).
import { parseManifestsOrThrow } from '@kemu/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HTTPRequest, type RouteAnswer, Router } from '../src/index.js';
import { expectEndpointChangesFollowed, ingressYaml, nginxClass, serviceYaml } from './fixtures.js';

const paths = ['/', '/a', '/a/', '/a/b', '/a/b/', '/ab', '/b', '/b/c/'];
const uris = [
  '/',
  '/a',
  '/a/',
  '/a/b',
  '/a/b/',
  '/a/bc',
  '/ab',
  '/abc',
  '/b',
  '/b/c',
  '/b/c/d',
  '/c',
  '/a//b',
  '/a/./b',
  '/%61/b',
];
const annotationSets: Record<string, string>[] = [
  {},
  { 'nginx.ingress.kubernetes.io/rewrite-target': '/x' },
  { 'nginx.ingress.kubernetes.io/upstream-vhost': 'inner.local' },
  { 'nginx.ingress.kubernetes.io/proxy-body-size': '1k' },
  { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' },
];

/** The answer without the explain() trail. */
const plain = (answer: RouteAnswer): RouteAnswer => ({ ...answer, explanation: [] });

function routerFor(rules: { path: string; type: string }[], annotations: Record<string, string>, tls: boolean): Router {
  const services = [...new Set(rules.map((_, i) => `s${i % 3}`))];
  const backends = rules.map((r, i) => ({ ...r, service: `s${i % 3}` }));
  const extraSpec = tls ? '  tls: [{ hosts: ["h.example.com"], secretName: cert }]\n' : '';
  return new Router(
    parseManifestsOrThrow(
      [
        nginxClass,
        ingressYaml('app', backends, { host: 'h.example.com', annotations, extraSpec }),
        ...services.map((s) => serviceYaml(s)),
      ].join('\n---\n'),
    ),
  );
}

describe('match() fast path', () => {
  it('answers like the full lookup for any location set, URI, query, scheme and body size', () => {
    // Property: match() (fast path, first and repeated, i.e. planned) equals explain() (full path).
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ path: fc.constantFrom(...paths), type: fc.constantFrom('Exact', 'Prefix', 'ImplementationSpecific') }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.constantFrom(...annotationSets),
        fc.boolean(),
        fc.array(
          fc.record({
            path: fc.constantFrom(...uris),
            query: fc.constantFrom('', '?q=1'),
            scheme: fc.constantFrom('http' as const, 'https' as const),
            contentLength: fc.constantFrom(undefined, 10, 5000),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        (rules, annotations, tls, requests) => {
          const router = routerFor(rules, annotations, tls);
          for (const r of requests) {
            const request: HTTPRequest = { host: 'h.example.com', ...r, path: r.path + r.query };
            const full = plain(router.explain(request));
            expect(router.match(request)).toEqual(full);
            expect(router.match(request)).toEqual(full);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('follows endpoint changes after an answer was planned', () => {
    // Endpoints are looked up at match time (no recompile): a planned answer must not go stale.
    expectEndpointChangesFollowed(routerFor([{ path: '/', type: 'Prefix' }], {}, false), { host: 'h.example.com', path: '/x' });
  });

  it('answers 413 for a large body after a small one was planned', () => {
    // proxy-body-size is checked first (nginx find-config phase), before any planned answer.
    const router = routerFor([{ path: '/', type: 'Prefix' }], {}, false);
    expect(router.match({ host: 'h.example.com', path: '/', contentLength: 1 }).reason).toBe('PathMatched');
    expect(router.match({ host: 'h.example.com', path: '/', contentLength: 2 * 1024 * 1024 }).reason).toBe(
      'RequestEntityTooLarge',
    );
  });

  it('follows an Ingress change to the same host', () => {
    // apply() rebuilds the host's server and its table: the old plan must not answer.
    const router = routerFor([{ path: '/', type: 'Prefix' }], {}, false);
    const request = { host: 'h.example.com', path: '/x' };
    router.match(request);
    router.apply(
      parseManifestsOrThrow(ingressYaml('app', [{ path: '/', type: 'Prefix', service: 's1' }], { host: 'h.example.com' })),
    );
    router.apply(parseManifestsOrThrow(serviceYaml('s1')));
    const outcome = router.match(request).outcome;
    expect(outcome.type === 'backend' && outcome.backend.service).toBe('s1');
  });
});
