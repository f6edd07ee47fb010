// Gateway API HTTPRoute routing (gateway-api apis/v1/httproute_types.go and conformance/tests/
// httproute-*.yaml / *.go: matching, matching-across-routes, hostname-intersection, weight,
// redirect-*, rewrite-path, request-header-modifier, invalid-*, reference-grant).

import type { HTTPRoute } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { parseGatewayDuration, pickWeighted, type RouteAnswer, Router, replacePrefixMatch } from '../src/index.js';
import { objects, reach, router, serviceYaml } from './fixtures.js';

const gateway = (listeners: string, name = 'gw', ns = 'default') => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: ${ns} }
spec:
  gatewayClassName: kemu
  listeners:
${listeners}`;
const httpListener = '  - { name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }\n';

const route = (name: string, spec: string, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default${extra} }
spec:
  parentRefs: [{ name: gw }]
${spec}`;

const services = ['a', 'b', 'c', 'd'].map((s) => serviceYaml(s));
const gw = (...docs: string[]) => router([gateway(httpListener), ...services, ...docs]);
const status = (a: RouteAnswer) => (a.outcome.type === 'status' ? a.outcome.status : 0);

describe('matching', () => {
  const r = gw(
    route(
      'm',
      `  rules:
  - matches: [{ path: { type: Exact, value: /exact } }]
    backendRefs: [{ name: a, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /api } }]
    backendRefs: [{ name: b, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /api }, headers: [{ name: X-Version, value: v2 }] }]
    backendRefs: [{ name: c, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /api }, method: POST }]
    backendRefs: [{ name: d, port: 80 }]
  - matches: [{ path: { type: RegularExpression, value: "/re/[0-9]+" } }]
    backendRefs: [{ name: a, port: 80 }]
`,
    ),
  );

  it('Exact matches only the exact path', () => {
    expect([reach(r, '/exact', 'x.com'), reach(r, '/exact/', 'x.com')]).toEqual(['a', 'status:404']);
  });
  it('PathPrefix is element-wise: /api matches /api/v1, not /apiv1', () => {
    expect([reach(r, '/api/v1', 'x.com'), reach(r, '/apiv1', 'x.com')]).toEqual(['b', 'status:404']);
  });
  it('a method match outranks header matches on the same prefix (precedence 3 before 4)', () => {
    expect(reach(r, '/api', 'x.com', { method: 'POST', headers: { 'x-version': 'v2' } })).toBe('d');
  });
  it('header names are case-insensitive; the header match outranks the bare prefix', () => {
    expect(reach(r, '/api', 'x.com', { headers: { 'X-VERSION': 'v2' } })).toBe('c');
    expect(reach(r, '/api', 'x.com', { headers: { 'x-version': 'V2' } })).toBe('b');
  });
  it('HEAD does not match a POST rule', () => expect(reach(r, '/api', 'x.com', { method: 'HEAD' })).toBe('b'));
  it('RegularExpression matches the whole path', () => {
    expect([reach(r, '/re/42', 'x.com'), reach(r, '/re/42/x', 'x.com')]).toEqual(['a', 'status:404']);
  });
  it('no matching rule answers 404', () => expect(reach(r, '/nothing', 'x.com')).toBe('status:404'));

  it('query params: exact, case-sensitive names, first value wins', () => {
    const q = gw(
      route(
        'q',
        `  rules:
  - matches: [{ queryParams: [{ name: animal, value: whale }] }]
    backendRefs: [{ name: a, port: 80 }]
  - backendRefs: [{ name: b, port: 80 }]
`,
      ),
    );
    expect(reach(q, '/?animal=whale', 'x.com')).toBe('a');
    expect(reach(q, '/?Animal=whale', 'x.com')).toBe('b');
    expect(reach(q, '/?animal=dolphin&animal=whale', 'x.com')).toBe('b');
  });
});

describe('precedence across routes of a listener', () => {
  it('the longest PathPrefix wins across routes; ties go to the oldest route, then namespace/name', () => {
    const r = gw(
      route(
        'zeta',
        '  rules: [{ matches: [{ path: { type: PathPrefix, value: /shop/cart } }], backendRefs: [{ name: a, port: 80 }] }]\n',
      ),
      route(
        'alpha',
        '  rules: [{ matches: [{ path: { type: PathPrefix, value: /shop } }], backendRefs: [{ name: b, port: 80 }] }]\n',
      ),
      route(
        'old',
        '  rules: [{ matches: [{ path: { type: PathPrefix, value: /same } }], backendRefs: [{ name: c, port: 80 }] }]\n',
        ', creationTimestamp: "2024-01-01T00:00:00Z"',
      ),
      route(
        'new',
        '  rules: [{ matches: [{ path: { type: PathPrefix, value: /same } }], backendRefs: [{ name: d, port: 80 }] }]\n',
        ', creationTimestamp: "2024-06-01T00:00:00Z"',
      ),
      route(
        'b-tie',
        '  rules: [{ matches: [{ path: { type: PathPrefix, value: /tie } }], backendRefs: [{ name: b, port: 80 }] }]\n',
      ),
      route(
        'a-tie',
        '  rules: [{ matches: [{ path: { type: PathPrefix, value: /tie } }], backendRefs: [{ name: a, port: 80 }] }]\n',
      ),
    );
    expect(reach(r, '/shop/cart/1', 'x.com')).toBe('a');
    expect(reach(r, '/shop/list', 'x.com')).toBe('b');
    expect(reach(r, '/same', 'x.com')).toBe('c');
    expect(reach(r, '/tie', 'x.com')).toBe('a');
  });

  it('explain() reports the lower-precedence matches as lost', () => {
    const r = gw(
      route(
        'e',
        `  rules:
  - matches: [{ path: { type: PathPrefix, value: / } }]
    backendRefs: [{ name: a, port: 80 }]
  - matches: [{ path: { type: PathPrefix, value: /v1 } }]
    backendRefs: [{ name: b, port: 80 }]
`,
      ),
    );
    const answer = r.explain({ host: 'x.com', path: '/v1/x' });
    expect(answer.route?.rule).toContain('rules[1]');
    expect(answer.explanation.find((s) => s.rule.includes('rules[0]'))?.verdict).toBe('lost');
  });
});

describe('hostnames', () => {
  it('a listener wildcard covers several labels, but not the bare domain', () => {
    const r = router([
      gateway('  - { name: w, port: 80, protocol: HTTP, hostname: "*.example.com" }\n'),
      serviceYaml('a'),
      route('r', '  rules: [{ backendRefs: [{ name: a, port: 80 }] }]\n'),
    ]);
    expect([reach(r, '/', 'foo.bar.example.com'), reach(r, '/', 'example.com')]).toEqual(['a', 'status:404']);
  });

  it('the route with the most specific matching hostname wins over a wildcard route', () => {
    const r = gw(
      route('wild', '  hostnames: ["*.example.com"]\n  rules: [{ backendRefs: [{ name: a, port: 80 }] }]\n'),
      route(
        'exact',
        '  hostnames: ["foo.example.com"]\n  rules: [{ matches: [{ path: { type: PathPrefix, value: /x } }], backendRefs: [{ name: b, port: 80 }] }]\n',
      ),
    );
    expect(reach(r, '/x', 'foo.example.com')).toBe('b');
    expect(reach(r, '/x', 'bar.example.com')).toBe('a');
  });

  it('route hostnames outside the listener hostname do not attach: Accepted=False NoMatchingListenerHostname', () => {
    const r = router([
      gateway('  - { name: h, port: 80, protocol: HTTP, hostname: foo.com }\n'),
      serviceYaml('a'),
      route('r', '  hostnames: [bar.com]\n  rules: [{ backendRefs: [{ name: a, port: 80 }] }]\n'),
    ]);
    expect(r.gateway.routeStatus('default', 'r')[0]?.conditions[0]).toMatchObject({
      type: 'Accepted',
      status: 'False',
      reason: 'NoMatchingListenerHostname',
    });
    expect(reach(r, '/', 'bar.com')).toBe('status:404');
  });
});

describe('HTTPS listeners', () => {
  it('answers 421 when SNI selected another listener than the Host header (SHOULD)', () => {
    const listeners = `  - { name: a, port: 443, protocol: HTTPS, hostname: a.com, tls: { certificateRefs: [{ name: a-tls }] } }
  - { name: b, port: 443, protocol: HTTPS, hostname: b.com, tls: { certificateRefs: [{ name: b-tls }] } }
`;
    const r = router([gateway(listeners), serviceYaml('a'), route('r', '  rules: [{ backendRefs: [{ name: a, port: 80 }] }]\n')]);
    expect(reach(r, '/', 'b.com', { scheme: 'https', sni: 'b.com' })).toBe('a');
    expect(reach(r, '/', 'b.com', { scheme: 'https', sni: 'a.com' })).toBe('status:421');
  });
});

describe('attachment and status', () => {
  it('reports a parentRef to a Gateway kemu does not serve', () => {
    const r = gw(
      route('r', '  rules: [{ backendRefs: [{ name: a, port: 80 }] }]\n').replace('{ name: gw }', '{ name: elsewhere }'),
    );
    expect(r.gateway.issues).toContainEqual(expect.objectContaining({ object: 'HTTPRoute/default/r', field: 'spec.parentRefs' }));
  });

  it('an accepted route reports Accepted=True and ResolvedRefs=True', () => {
    const r = gw(route('ok', '  rules: [{ backendRefs: [{ name: a, port: 80 }] }]\n'));
    expect(r.gateway.routeStatus('default', 'ok')[0]?.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'Accepted=True/Accepted',
      'ResolvedRefs=True/ResolvedRefs',
    ]);
  });

  it('a listener allowing only its own namespace refuses other namespaces: NotAllowedByListeners', () => {
    const r = router([
      gateway('  - { name: http, port: 80, protocol: HTTP }\n', 'gw', 'infra'),
      serviceYaml('a'),
      `${route('r', '  rules: [{ backendRefs: [{ name: a, port: 80 }] }]\n').replace('parentRefs: [{ name: gw }]', 'parentRefs: [{ name: gw, namespace: infra }]')}`,
    ]);
    expect(r.gateway.routeStatus('default', 'r')[0]?.conditions[0]?.reason).toBe('NotAllowedByListeners');
  });

  it('a sectionName naming no listener: NoMatchingParent', () => {
    const r = gw(
      route('r', '  rules: [{ backendRefs: [{ name: a, port: 80 }] }]\n').replace(
        '{ name: gw }',
        '{ name: gw, sectionName: nope }',
      ),
    );
    expect(r.gateway.routeStatus('default', 'r')[0]?.conditions[0]?.reason).toBe('NoMatchingParent');
  });

  it('an invalid regex makes the route Accepted=False UnsupportedValue', () => {
    const r = gw(
      route(
        'r',
        '  rules: [{ matches: [{ path: { type: RegularExpression, value: "/(" } }], backendRefs: [{ name: a, port: 80 }] }]\n',
      ),
    );
    expect(r.gateway.routeStatus('default', 'r')[0]?.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'UnsupportedValue',
    });
  });

  it('Gateways of another class are not served', () => {
    const r = router([
      gateway(httpListener).replace('gatewayClassName: kemu', 'gatewayClassName: istio'),
      serviceYaml('a'),
      route('r', '  rules: [{ backendRefs: [{ name: a, port: 80 }] }]\n'),
    ]);
    expect(r.gateway.ports).toEqual([]);
    expect(r.gateway.routeStatus('default', 'r')).toEqual([]);
  });
});

describe('backends and failures', () => {
  it('omitted backendRefs answer 500', () => {
    expect(
      status(
        gw(route('r', '  rules: [{ matches: [{ path: { type: PathPrefix, value: / } }] }]\n')).match({ host: 'x', path: '/' }),
      ),
    ).toBe(500);
  });

  it('a missing Service answers 500 and ResolvedRefs=False BackendNotFound', () => {
    const r = gw(route('r', '  rules: [{ backendRefs: [{ name: ghost, port: 80 }] }]\n'));
    expect(status(r.match({ host: 'x', path: '/' }))).toBe(500);
    expect(r.gateway.routeStatus('default', 'r')[0]?.conditions[1]).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
  });

  it('an unknown backend kind answers 500 with InvalidKind', () => {
    const r = gw(route('r', '  rules: [{ backendRefs: [{ group: example.com, kind: Bucket, name: a, port: 80 }] }]\n'));
    expect(status(r.match({ host: 'x', path: '/' }))).toBe(500);
    expect(r.gateway.routeStatus('default', 'r')[0]?.conditions[1]?.reason).toBe('InvalidKind');
  });

  it('a Service with no ready endpoints answers 503', () => {
    const r = router([
      gateway(httpListener),
      serviceYaml('empty', []),
      route('r', '  rules: [{ backendRefs: [{ name: empty, port: 80 }] }]\n'),
    ]);
    expect(status(r.match({ host: 'x', path: '/' }))).toBe(503);
  });

  it('a cross-namespace backend needs a ReferenceGrant (RefNotPermitted → 500)', () => {
    const spec = '  rules: [{ backendRefs: [{ name: other, namespace: prod, port: 80 }] }]\n';
    const grant = `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: allow, namespace: prod }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default }]
  to: [{ group: "", kind: Service }]`;
    const without = router([gateway(httpListener), serviceYaml('other', ['10.244.2.2'], 'prod'), route('r', spec)]);
    expect(status(without.match({ host: 'x', path: '/' }))).toBe(500);
    expect(without.gateway.routeStatus('default', 'r')[0]?.conditions[1]?.reason).toBe('RefNotPermitted');
    const withGrant = router([gateway(httpListener), serviceYaml('other', ['10.244.2.2'], 'prod'), grant, route('r', spec)]);
    expect(reach(withGrant, '/', 'x')).toBe('other');
  });

  it('weights split by the injected random value; weight 0 never receives traffic', () => {
    const r = gw(
      route(
        'w',
        '  rules: [{ backendRefs: [{ name: a, port: 80, weight: 70 }, { name: b, port: 80, weight: 30 }, { name: c, port: 80, weight: 0 }] }]\n',
      ),
    );
    expect([
      reach(r, '/', 'x', { random: 0.69 }),
      reach(r, '/', 'x', { random: 0.7 }),
      reach(r, '/', 'x', { random: 0.999 }),
    ]).toEqual(['a', 'b', 'b']);
  });

  it('pickWeighted over 1000 evenly spread draws gives 700/300/0 (conformance weight: 70/30/0)', () => {
    const refs = [
      { weight: 70, n: 'a' },
      { weight: 30, n: 'b' },
      { weight: 0, n: 'c' },
    ];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1000; i++)
      counts[pickWeighted(refs, i / 1000)?.n ?? 'x'] = (counts[pickWeighted(refs, i / 1000)?.n ?? 'x'] ?? 0) + 1;
    expect(counts).toEqual({ a: 700, b: 300, c: 0 });
  });
});

describe('timeouts', () => {
  it('timeouts.backendRequest (else request) bounds the backend wait; durations follow GEP-2257', () => {
    expect([
      parseGatewayDuration('1h30m'),
      parseGatewayDuration('500ms'),
      parseGatewayDuration('0s'),
      parseGatewayDuration('5 s'),
    ]).toEqual([5_400_000, 500, undefined, undefined]);
    const r = gw(
      route('t', '  rules: [{ timeouts: { request: 10s, backendRequest: 2s }, backendRefs: [{ name: a, port: 80 }] }]\n'),
    );
    expect(r.match({ host: 'x', path: '/' }).outcome).toMatchObject({ limits: { readTimeoutMs: 2000 } });
  });
});

describe('filters', () => {
  it('RequestHeaderModifier set/add/remove are passed as request header edits', () => {
    const r = gw(
      route(
        'h',
        `  rules:
  - filters: [{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: X-Set, value: s }], add: [{ name: X-Add, value: a }], remove: [X-Drop] } }]
    backendRefs: [{ name: a, port: 80 }]
`,
      ),
    );
    const o = r.match({ host: 'x', path: '/' }).outcome;
    expect(o.type === 'backend' && o.requestHeaders).toEqual({
      set: { 'X-Set': 's' },
      add: { 'X-Add': 'a' },
      remove: ['X-Drop'],
    });
  });

  it('RequestRedirect defaults to 302, keeps the path, and applies the port rules', () => {
    const redirect = (body: string) =>
      gw(route('r', `  rules: [{ filters: [{ type: RequestRedirect, requestRedirect: ${body} }] }]\n`)).match({
        host: 'x.com:80',
        path: '/p?q=1',
      }).outcome;
    expect(redirect('{ hostname: y.com }')).toMatchObject({ status: 302, location: 'http://y.com/p?q=1' });
    // A scheme without a port uses the scheme's well-known port, which is not printed.
    expect(redirect('{ scheme: https, statusCode: 301 }')).toMatchObject({ status: 301, location: 'https://x.com/p?q=1' });
    expect(redirect('{ port: 8443, scheme: https }')).toMatchObject({ location: 'https://x.com:8443/p?q=1' });
    expect(redirect('{ path: { type: ReplaceFullPath, replaceFullPath: /new } }')).toMatchObject({
      location: 'http://x.com/new?q=1',
    });
  });

  it('URLRewrite ReplacePrefixMatch swaps exactly the matched prefix (conformance rewrite-path)', () => {
    expect([
      replacePrefixMatch('/foo', '/foo/bar', '/xyz'),
      replacePrefixMatch('/foo', '/foo', '/xyz'),
      replacePrefixMatch('/foo', '/foo/', '/xyz'),
    ]).toEqual(['/xyz/bar', '/xyz', '/xyz/']);
    expect([
      replacePrefixMatch('/foo', '/foo/bar', ''),
      replacePrefixMatch('/foo', '/foo', '/'),
      replacePrefixMatch('/foo/', '/foo/bar', '/'),
    ]).toEqual(['/bar', '/', '/bar']);
    const r = gw(
      route(
        'rw',
        `  rules:
  - matches: [{ path: { type: PathPrefix, value: /prefix/one } }]
    filters: [{ type: URLRewrite, urlRewrite: { hostname: internal, path: { type: ReplacePrefixMatch, replacePrefixMatch: /one } } }]
    backendRefs: [{ name: a, port: 80 }]
`,
      ),
    );
    expect(r.match({ host: 'x', path: '/prefix/one/two?z=1' }).outcome).toMatchObject({
      upstreamPath: '/one/two?z=1',
      upstreamHost: 'internal',
    });
  });

  it('RequestMirror adds the mirror backend with its endpoints', () => {
    const r = gw(
      route(
        'm',
        `  rules:
  - filters: [{ type: RequestMirror, requestMirror: { backendRef: { name: b, port: 80 } } }]
    backendRefs: [{ name: a, port: 80 }]
`,
      ),
    );
    const o = r.match({ host: 'x', path: '/' }).outcome;
    expect(o.type === 'backend' && o.mirrors.map((m) => m.backend.service)).toEqual(['b']);
  });

  it('RequestRedirect together with backendRefs is refused: Accepted=False UnsupportedValue', () => {
    // The API server's CEL rules refuse this; objects built in code reach the router anyway.
    const docs = objects(
      gateway(httpListener),
      serviceYaml('a'),
      route('bad', '  rules: [{ filters: [{ type: RequestRedirect, requestRedirect: { hostname: y } }] }]\n'),
    );
    const bad = docs.find((o) => o.kind === 'HTTPRoute') as HTTPRoute;
    (bad.spec.rules ?? [])[0]!.backendRefs = [{ name: 'a', port: 80 }];
    const r = new Router(docs);
    expect(r.gateway.routeStatus('default', 'bad')[0]?.conditions[0]?.reason).toBe('UnsupportedValue');
  });
});
