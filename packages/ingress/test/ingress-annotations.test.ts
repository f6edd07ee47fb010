// ingress-nginx annotations (docs/user-guide/nginx-configuration/annotations.md and
// docs/examples/{rewrite,canary,affinity/cookie}/README.md; ingress.md §7–§9).
import { describe, expect, it } from 'vitest';
import type { BackendOutcome, RouteAnswer } from '../src/index.js';
import { ingressYaml, nginxClass, reach, router, serviceYaml } from './fixtures.js';

const N = 'nginx.ingress.kubernetes.io';
const backend = (a: RouteAnswer): BackendOutcome => {
  if (a.outcome.type !== 'backend') throw new Error(`expected a backend, got ${a.outcome.status} (${a.message})`);
  return a.outcome;
};

describe('rewrite-target', () => {
  const r = router([
    nginxClass,
    serviceYaml('a'),
    ingressYaml('rw', [{ path: '/something(/|$)(.*)', type: 'ImplementationSpecific', service: 'a' }], {
      host: 'foo.com',
      annotations: { [`${N}/use-regex`]: 'true', [`${N}/rewrite-target`]: '/$2' },
    }),
  ]);
  const up = (path: string) => backend(r.match({ host: 'foo.com', path })).upstreamPath;

  it('substitutes capture groups: /something → /, /something/ → /, /something/new → /new (docs/examples/rewrite)', () => {
    expect([up('/something'), up('/something/'), up('/something/new')]).toEqual(['/', '/', '/new']);
  });

  it('keeps the query string and sends X-Original-URI', () => {
    const a = backend(r.match({ host: 'foo.com', path: '/something/new?x=1' }));
    expect(a.upstreamPath).toBe('/new?x=1');
    expect(a.requestHeaders.set['X-Original-URI']).toBe('/something/new?x=1');
  });

  it('a target without groups replaces the whole path: /foo with target / sends /foo/bar?x=1 as /?x=1', () => {
    const r2 = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('rw', [{ path: '/foo', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/rewrite-target`]: '/' },
      }),
    ]);
    expect(backend(r2.match({ host: 'foo.com', path: '/foo/bar?x=1' })).upstreamPath).toBe('/?x=1');
  });

  it('turns every path of the host into case-insensitive regexes, first match in length order wins', () => {
    const r2 = router([
      nginxClass,
      serviceYaml('a'),
      serviceYaml('b'),
      ingressYaml('regex', [{ path: '/foo/bar/[A-Z0-9]{3}', type: 'ImplementationSpecific', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/use-regex`]: 'true' },
      }),
      ingressYaml('literal', [{ path: '/foo/bar/bar', type: 'ImplementationSpecific', service: 'b' }], { host: 'foo.com' }),
    ]);
    // ingress-path-matching.md: the longer regex is written first and captures /foo/bar/bar.
    expect(reach(r2, '/foo/bar/bar')).toBe('a');
    expect(reach(r2, '/FOO/BAR/BAR')).toBe('a');
  });

  it('reports an invalid regex path and ignores that path', () => {
    const r2 = router([
      nginxClass,
      ingressYaml('bad', [{ path: '/x(', type: 'ImplementationSpecific', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/use-regex`]: 'true' },
      }),
    ]);
    expect(
      r2.issues.some((i) => i.field === 'spec.rules[0].http.paths[0]' && i.message.includes('invalid regular expression')),
    ).toBe(true);
  });
});

describe('redirects', () => {
  it('app-root redirects / with 302 to the app root', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('ar', [{ path: '/', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/app-root`]: '/app1' },
      }),
    ]);
    expect(r.match({ host: 'foo.com', path: '/' }).outcome).toMatchObject({ status: 302, location: 'http://foo.com/app1' });
    expect(reach(r, '/app1')).toBe('a');
  });

  const tls = '  tls: [{ hosts: [foo.com], secretName: foo-tls }]\n';
  it('a host with TLS redirects plain HTTP with 308 to https (ssl-redirect default true)', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('t', [{ path: '/', type: 'Prefix', service: 'a' }], { host: 'foo.com', extraSpec: tls }),
    ]);
    expect(r.match({ host: 'foo.com', path: '/x?y=1' }).outcome).toMatchObject({
      status: 308,
      location: 'https://foo.com/x?y=1',
    });
    expect(reach(r, '/x', 'foo.com', { scheme: 'https' })).toBe('a');
  });

  it('ssl-redirect "false" serves plain HTTP on a TLS host', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('t', [{ path: '/', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        extraSpec: tls,
        annotations: { [`${N}/ssl-redirect`]: 'false' },
      }),
    ]);
    expect(reach(r, '/x')).toBe('a');
  });

  it('force-ssl-redirect redirects without a TLS section', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('t', [{ path: '/', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/force-ssl-redirect`]: 'true' },
      }),
    ]);
    expect(r.match({ host: 'foo.com', path: '/' }).outcome).toMatchObject({ status: 308 });
  });

  it('permanent-redirect answers 301 and temporal-redirect 302 with the given URL', () => {
    const r = router([
      nginxClass,
      ingressYaml('p', [{ path: '/old', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/permanent-redirect`]: 'https://new.example/' },
      }),
      ingressYaml('t', [{ path: '/tmp', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/temporal-redirect`]: 'https://tmp.example/' },
      }),
    ]);
    expect(r.match({ host: 'foo.com', path: '/old' }).outcome).toMatchObject({ status: 301, location: 'https://new.example/' });
    expect(r.match({ host: 'foo.com', path: '/tmp' }).outcome).toMatchObject({ status: 302, location: 'https://tmp.example/' });
  });
});

describe('canary', () => {
  const main = ingressYaml('main', [{ path: '/', type: 'Prefix', service: 'a' }], {
    host: 'foo.com',
    created: '2024-01-01T00:00:00Z',
  });
  const canary = (annotations: Record<string, string>) =>
    ingressYaml('canary', [{ path: '/', type: 'Prefix', service: 'b' }], {
      host: 'foo.com',
      created: '2024-02-01T00:00:00Z',
      annotations: { [`${N}/canary`]: 'true', ...annotations },
    });
  const docs = (ann: Record<string, string>) => [nginxClass, serviceYaml('a'), serviceYaml('b'), main, canary(ann)];

  it('canary-by-header: always → canary, never → main, other values → weight (0 → main)', () => {
    const r = router(docs({ [`${N}/canary-by-header`]: 'X-Canary' }));
    expect(reach(r, '/', 'foo.com', { headers: { 'x-canary': 'always' } })).toBe('b');
    expect(reach(r, '/', 'foo.com', { headers: { 'X-Canary': 'never' } })).toBe('a');
    expect(reach(r, '/', 'foo.com', { headers: { 'X-Canary': 'maybe' } })).toBe('a');
  });

  it('canary-by-header-value: only that exact value goes to the canary (even "always" does not)', () => {
    const r = router(docs({ [`${N}/canary-by-header`]: 'X-Region', [`${N}/canary-by-header-value`]: 'eu' }));
    expect(reach(r, '/', 'foo.com', { headers: { 'X-Region': 'eu' } })).toBe('b');
    expect(reach(r, '/', 'foo.com', { headers: { 'X-Region': 'always' } })).toBe('a');
  });

  it('canary-by-cookie: always / never, after the header', () => {
    const r = router(docs({ [`${N}/canary-by-cookie`]: 'beta' }));
    expect(reach(r, '/', 'foo.com', { headers: { cookie: 'x=1; beta=always' } })).toBe('b');
    expect(reach(r, '/', 'foo.com', { headers: { cookie: 'beta=never' } })).toBe('a');
  });

  it('canary-weight: N of canary-weight-total draws go to the canary, using the injected random value', () => {
    const r = router(docs({ [`${N}/canary-weight`]: '30' }));
    expect(reach(r, '/', 'foo.com', { random: 0.29 })).toBe('b');
    expect(reach(r, '/', 'foo.com', { random: 0.3 })).toBe('a');
  });

  it('a canary without a main Ingress for its host+path is reported and ignored', () => {
    const r = router([nginxClass, serviceYaml('b'), canary({ [`${N}/canary-weight`]: '100' })]);
    expect(r.issues.some((i) => i.object === 'Ingress/default/canary' && i.message.includes('no main Ingress'))).toBe(true);
  });
});

describe('other annotations', () => {
  it('affinity: cookie carries the cookie settings (default name INGRESSCOOKIE, path = the rule path)', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('s', [{ path: '/shop', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/affinity`]: 'cookie' },
      }),
    ]);
    expect(backend(r.match({ host: 'foo.com', path: '/shop/x' })).affinity).toMatchObject({
      cookieName: 'INGRESSCOOKIE',
      path: '/shop',
    });
  });

  it('whitelist-source-range answers 403 outside the ranges', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('w', [{ path: '/', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/whitelist-source-range`]: '10.0.0.0/8, 192.168.1.1' },
      }),
    ]);
    expect(reach(r, '/', 'foo.com', { clientIP: '10.1.2.3' })).toBe('a');
    expect(reach(r, '/', 'foo.com', { clientIP: '192.168.1.1' })).toBe('a');
    expect(reach(r, '/', 'foo.com', { clientIP: '172.16.0.1' })).toBe('status:403');
  });

  it('proxy-body-size answers 413 above the limit (default 1m)', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('b', [{ path: '/', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/proxy-body-size`]: '8k' },
      }),
    ]);
    expect(reach(r, '/', 'foo.com', { contentLength: 8192 })).toBe('a');
    expect(reach(r, '/', 'foo.com', { contentLength: 8193 })).toBe('status:413');
  });

  it('timeouts come from proxy-*-timeout seconds (defaults 5/60/60)', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('t', [{ path: '/', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/proxy-read-timeout`]: '3' },
      }),
    ]);
    expect(backend(r.match({ host: 'foo.com', path: '/' })).limits).toMatchObject({
      connectTimeoutMs: 5000,
      readTimeoutMs: 3000,
      sendTimeoutMs: 60000,
    });
  });

  it('reports a malformed annotation value naming the annotation', () => {
    const r = router([
      nginxClass,
      ingressYaml('t', [{ path: '/', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        annotations: { [`${N}/proxy-body-size`]: 'lots' },
      }),
    ]);
    expect(r.issues[0]?.field).toBe(`metadata.annotations["${N}/proxy-body-size"]`);
  });

  it('TLS hosts list the Secret of the oldest Ingress with a tls entry for the host', () => {
    const r = router([
      nginxClass,
      ingressYaml('t', [{ path: '/', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        extraSpec: '  tls: [{ hosts: [foo.com], secretName: foo-tls }]\n',
      }),
    ]);
    expect(r.ingress.tlsHosts()).toEqual([
      expect.objectContaining({ host: 'foo.com', secretName: 'foo-tls', secret: undefined }),
    ]);
  });

  it('explain() lists every location considered and why it lost', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      serviceYaml('b'),
      ingressYaml(
        'e',
        [
          { path: '/', type: 'Prefix', service: 'a' },
          { path: '/api', type: 'Prefix', service: 'b' },
        ],
        { host: 'foo.com' },
      ),
    ]);
    const answer = r.explain({ host: 'foo.com', path: '/api/v1' });
    expect(answer.explanation.filter((s) => s.verdict === 'selected').map((s) => s.rule)).toEqual([
      'server foo.com',
      expect.stringContaining('/api (Prefix)'),
    ]);
    expect(answer.explanation.some((s) => s.verdict === 'lost' && s.rule.includes('foo.com / (Prefix)'))).toBe(true);
  });
});
