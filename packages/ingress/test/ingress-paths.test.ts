// The path-type examples table of the Kubernetes Ingress docs
// (kubernetes/website content/en/docs/concepts/services-networking/ingress.md "Examples"),
// row by row, under the spec profile and under ingress-nginx (where nginx answers 301 instead).
import { describe, expect, it } from 'vitest';
import { ingressYaml, nginxClass, reach, router, serviceYaml } from './fixtures.js';

type Row = { type: string; rules: string[]; request: string; spec: string; nginx?: string };

// Each rule path gets its own Service named after it, so the winner is visible.
const svc = (path: string, type: string) => `${type.toLowerCase()}${path.replace(/\//g, '-')}`.replace(/-$/, '-slash');

const table: Row[] = [
  { type: 'Prefix', rules: ['/'], request: '/anything/at/all', spec: 'prefix-slash' },
  { type: 'Exact', rules: ['/foo'], request: '/foo', spec: 'exact-foo' },
  { type: 'Exact', rules: ['/foo'], request: '/bar', spec: 'status:404' },
  { type: 'Exact', rules: ['/foo'], request: '/foo/', spec: 'status:404' },
  // nginx: `location = /foo/` with proxy_pass answers /foo with a 301 to /foo/ (ingress.md §8).
  { type: 'Exact', rules: ['/foo/'], request: '/foo', spec: 'status:404', nginx: 'status:301' },
  { type: 'Prefix', rules: ['/foo'], request: '/foo', spec: 'prefix-foo' },
  { type: 'Prefix', rules: ['/foo'], request: '/foo/', spec: 'prefix-foo' },
  { type: 'Prefix', rules: ['/foo/'], request: '/foo', spec: 'prefix-foo-slash', nginx: 'status:301' },
  { type: 'Prefix', rules: ['/foo/'], request: '/foo/', spec: 'prefix-foo-slash' },
  { type: 'Prefix', rules: ['/aaa/bb'], request: '/aaa/bbb', spec: 'status:404' },
  { type: 'Prefix', rules: ['/aaa/bbb'], request: '/aaa/bbb', spec: 'prefix-aaa-bbb' },
  { type: 'Prefix', rules: ['/aaa/bbb/'], request: '/aaa/bbb', spec: 'prefix-aaa-bbb-slash', nginx: 'status:301' },
  { type: 'Prefix', rules: ['/aaa/bbb'], request: '/aaa/bbb/', spec: 'prefix-aaa-bbb' },
  { type: 'Prefix', rules: ['/aaa/bbb'], request: '/aaa/bbb/ccc', spec: 'prefix-aaa-bbb' },
  { type: 'Prefix', rules: ['/aaa/bbb'], request: '/aaa/bbbxyz', spec: 'status:404' },
  { type: 'Prefix', rules: ['/', '/aaa'], request: '/aaa/ccc', spec: 'prefix-aaa' },
  { type: 'Prefix', rules: ['/', '/aaa', '/aaa/bbb'], request: '/aaa/bbb', spec: 'prefix-aaa-bbb' },
  { type: 'Prefix', rules: ['/', '/aaa', '/aaa/bbb'], request: '/ccc', spec: 'prefix-slash' },
  { type: 'Prefix', rules: ['/aaa'], request: '/ccc', spec: 'status:404' },
];

function docs(row: Row): string[] {
  const paths = row.rules.map((p) => ({ path: p, type: row.type, service: svc(p, row.type) }));
  return [nginxClass, ingressYaml('table', paths, { host: 'foo.com' }), ...paths.map((p) => serviceYaml(p.service))];
}

describe('official path examples table', () => {
  for (const row of table) {
    it(`spec: ${row.type} ${row.rules.join(', ')} vs ${row.request} → ${row.spec}`, () => {
      expect(reach(router(docs(row), { ingress: { profile: 'spec' } }), row.request)).toBe(row.spec);
    });
    it(`ingress-nginx: ${row.type} ${row.rules.join(', ')} vs ${row.request} → ${row.nginx ?? row.spec}`, () => {
      expect(reach(router(docs(row)), row.request)).toBe(row.nginx ?? row.spec);
    });
  }

  it('Mixed: Exact /foo beats Prefix /foo for /foo (both profiles)', () => {
    const d = [
      nginxClass,
      ingressYaml(
        'mixed',
        [
          { path: '/foo', type: 'Prefix', service: 'prefix' },
          { path: '/foo', type: 'Exact', service: 'exact' },
        ],
        { host: 'foo.com' },
      ),
      serviceYaml('prefix'),
      serviceYaml('exact'),
    ];
    expect(reach(router(d), '/foo')).toBe('exact');
    expect(reach(router(d, { ingress: { profile: 'spec' } }), '/foo')).toBe('exact');
    expect(reach(router(d), '/foo/x')).toBe('prefix');
  });

  it('paths are case-sensitive: /FOO does not match Prefix /foo (conformance path_rules)', () => {
    const d = [
      nginxClass,
      ingressYaml('case', [{ path: '/foo', type: 'Prefix', service: 'a' }], { host: 'foo.com' }),
      serviceYaml('a'),
    ];
    expect(reach(router(d), '/FOO')).toBe('status:404');
  });

  it('the 301 keeps the query string (nginx auto_redirect)', () => {
    const d = [
      nginxClass,
      ingressYaml('r', [{ path: '/foo/', type: 'Prefix', service: 'a' }], { host: 'foo.com' }),
      serviceYaml('a'),
    ];
    const answer = router(d).match({ host: 'foo.com', path: '/foo?x=1' });
    expect(answer.outcome).toMatchObject({ type: 'status', status: 301, location: 'http://foo.com/foo/?x=1' });
  });
});

describe('ImplementationSpecific in ingress-nginx', () => {
  const d = [
    nginxClass,
    ingressYaml('is', [{ path: '/foo', type: 'ImplementationSpecific', service: 'a' }], { host: 'foo.com' }),
    serviceYaml('a'),
  ];

  it('is a character-wise string prefix: /foo catches /foobar (nginx `location /foo`)', () => {
    expect(reach(router(d), '/foobar')).toBe('a');
  });

  it('is element-wise under the spec profile (treated as Prefix)', () => {
    expect(reach(router(d, { ingress: { profile: 'spec' } }), '/foobar')).toBe('status:404');
  });

  it('matches the normalized URI: %2e%2e and // are resolved before matching (ngx_http_parse_complex_uri)', () => {
    expect(reach(router(d), '/bar/../foo//x')).toBe('a');
    expect(reach(router(d), '/%66oo')).toBe('a');
  });

  it('answers 400 for a .. that climbs above /', () => {
    expect(reach(router(d), '/../etc')).toBe('status:400');
  });
});

describe('many paths on one host', () => {
  it('finds exact and prefix rules among 30 paths (large-table representations)', () => {
    const paths = Array.from({ length: 30 }, (_, i) => ({ path: `/p${i}`, type: i % 2 ? 'Exact' : 'Prefix', service: 'a' }));
    const r = router([nginxClass, ingressYaml('many', paths, { host: 'foo.com' }), serviceYaml('a')]);
    expect([reach(r, '/p1'), reach(r, '/p1/x'), reach(r, '/p28/x'), reach(r, '/p29')]).toEqual(['a', 'status:404', 'a', 'a']);
  });
});
