// Hosts, wildcards, classes and merging (ingress.md §3, §5, §6; ingress-nginx docs/how-it-works.md).

import type { Ingress } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { Router } from '../src/index.js';
import { ingressYaml, nginxClass, objects, reach, router, serviceYaml } from './fixtures.js';

const svcs = ['a', 'b', 'c', 'd'].map((n) => serviceYaml(n));

describe('host matching', () => {
  const d = [
    nginxClass,
    ...svcs,
    ingressYaml('exact', [{ path: '/', type: 'Prefix', service: 'a' }], { host: 'foo.bar.com' }),
    ingressYaml('wild', [{ path: '/', type: 'Prefix', service: 'b' }], { host: '*.bar.com' }),
    ingressYaml('any', [{ path: '/', type: 'Prefix', service: 'c' }]),
  ];
  const r = router(d);

  it('an exact host beats a wildcard host', () => expect(reach(r, '/', 'foo.bar.com')).toBe('a'));
  it('*.bar.com covers one label: baz.bar.com', () => expect(reach(r, '/', 'baz.bar.com')).toBe('b'));
  it('*.bar.com does not cover two labels: a.baz.bar.com falls to host-less rules', () =>
    expect(reach(r, '/', 'a.baz.bar.com')).toBe('c'));
  it('*.bar.com does not cover bar.com itself', () => expect(reach(r, '/', 'bar.com')).toBe('c'));
  it('the Host port and case are ignored (RFC 3986 hosts are case-insensitive)', () =>
    expect(reach(r, '/', 'FOO.Bar.com:8080')).toBe('a'));
  it('a host-less rule serves an IP literal Host', () => expect(reach(r, '/', '10.0.0.1')).toBe('c'));

  it('a matched host never falls through to host-less rules for a missing path (one nginx server per host)', () => {
    const r2 = router([
      nginxClass,
      ...svcs,
      ingressYaml('h', [{ path: '/api', type: 'Prefix', service: 'a' }], { host: 'foo.com' }),
      ingressYaml('any', [{ path: '/', type: 'Prefix', service: 'c' }]),
    ]);
    expect(reach(r2, '/other', 'foo.com')).toBe('status:404');
  });

  it('reports upper-case hosts and hosts with ports, naming the field (objects built in code skip manifest validation)', () => {
    const [ingress] = objects(
      ingressYaml('bad', [{ path: '/', type: 'Prefix', service: 'a' }], { host: 'foo.com' }),
    ) as Ingress[];
    const rules = ingress?.spec.rules ?? [];
    rules.push({ ...rules[0], host: 'foo.com:8080' });
    (rules[0] as { host: string }).host = 'Foo.com';
    const r2 = new Router([...objects(nginxClass), ingress as Ingress]);
    expect(r2.issues).toContainEqual(expect.objectContaining({ object: 'Ingress/default/bad', field: 'spec.rules[0].host' }));
    expect(r2.issues).toContainEqual(expect.objectContaining({ object: 'Ingress/default/bad', field: 'spec.rules[1].host' }));
  });
});

describe('several Ingresses for one host (ingress-nginx merging)', () => {
  it('merges different paths from two Ingresses into one server', () => {
    const r = router([
      nginxClass,
      ...svcs,
      ingressYaml('one', [{ path: '/a', type: 'Prefix', service: 'a' }], { host: 'foo.com' }),
      ingressYaml('two', [{ path: '/b', type: 'Prefix', service: 'b' }], { host: 'foo.com' }),
    ]);
    expect([reach(r, '/a'), reach(r, '/b')]).toEqual(['a', 'b']);
  });

  it('the oldest Ingress wins the same host+path, and the newer one is reported', () => {
    const r = router([
      nginxClass,
      ...svcs,
      ingressYaml('newer', [{ path: '/x', type: 'Prefix', service: 'b' }], { host: 'foo.com', created: '2024-02-01T00:00:00Z' }),
      ingressYaml('older', [{ path: '/x', type: 'Prefix', service: 'a' }], { host: 'foo.com', created: '2024-01-01T00:00:00Z' }),
    ]);
    expect(reach(r, '/x')).toBe('a');
    expect(r.issues.some((i) => i.object === 'Ingress/default/newer' && i.message.includes('older'))).toBe(true);
  });

  it('the Ingress defaultBackend serves unmatched paths of its own hosts only', () => {
    const r = router([
      nginxClass,
      ...svcs,
      ingressYaml('with-default', [{ path: '/a', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        extraSpec: '  defaultBackend: { service: { name: d, port: { number: 80 } } }\n',
      }),
    ]);
    expect(reach(r, '/zzz', 'foo.com')).toBe('d');
    expect(reach(r, '/zzz', 'other.com')).toBe('status:404');
  });

  it('a rule-less Ingress with only defaultBackend catches every host and path', () => {
    const only = objects(
      nginxClass,
      serviceYaml('d'),
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: catch, namespace: default }
spec:
  ingressClassName: nginx
  defaultBackend: { service: { name: d, port: { number: 80 } } }`,
    );
    const r = new Router(only);
    expect(reach(r, '/any/path', 'whatever.example')).toBe('d');
  });

  it('the controller --default-backend-service serves unmatched requests when configured', () => {
    const r = router([nginxClass, serviceYaml('fallback', ['10.244.9.9'], 'ingress-nginx')], {
      ingress: { defaultBackend: { namespace: 'ingress-nginx', service: 'fallback', port: 80 } },
    });
    expect(reach(r, '/anything', 'unknown.example')).toBe('fallback');
  });

  it('the controller default backend answers 404 with no rule and no defaultBackend', () => {
    expect(reach(router([nginxClass]), '/')).toBe('status:404');
  });

  it('a missing Service or one without ready endpoints answers 503', () => {
    const r = router([
      nginxClass,
      serviceYaml('empty', []),
      ingressYaml(
        'i',
        [
          { path: '/missing', type: 'Prefix', service: 'nope' },
          { path: '/empty', type: 'Prefix', service: 'empty' },
        ],
        { host: 'foo.com' },
      ),
    ]);
    expect([reach(r, '/missing'), reach(r, '/empty')]).toEqual(['status:503', 'status:503']);
    // The missing Service is reported with the field; a Service without endpoints is not an error.
    expect(r.issues).toEqual([
      expect.objectContaining({ object: 'Ingress/default/i', field: 'spec.rules[0].http.paths[0].backend.service' }),
    ]);
  });

  it('reports a TLS secretName that does not exist', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('t', [{ path: '/', type: 'Prefix', service: 'a' }], {
        host: 'foo.com',
        extraSpec: '  tls: [{ hosts: [foo.com], secretName: nope }]\n',
      }),
    ]);
    expect(r.issues).toContainEqual(expect.objectContaining({ object: 'Ingress/default/t', field: 'spec.tls[0].secretName' }));
  });
});

describe('IngressClass selection', () => {
  const base = (spec: string, annotations = '') => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: i
  namespace: default
${annotations}spec:
${spec}  rules:
  - host: foo.com
    http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: a, port: { number: 80 } } } }] }`;

  it('serves ingressClassName naming a class of controller k8s.io/ingress-nginx', () => {
    expect(reach(router([nginxClass, serviceYaml('a'), base('  ingressClassName: nginx\n')]), '/')).toBe('a');
  });

  it("serves kemu's own controller kemu.dev/ingress-controller", () => {
    const cls =
      'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: kemu }\nspec: { controller: kemu.dev/ingress-controller }';
    expect(reach(router([cls, serviceYaml('a'), base('  ingressClassName: kemu\n')]), '/')).toBe('a');
  });

  it('ignores a class of another controller, and a class that does not exist (conformance ingress_class)', () => {
    const other =
      'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: traefik }\nspec: { controller: traefik.io/ingress-controller }';
    expect(reach(router([other, serviceYaml('a'), base('  ingressClassName: traefik\n')]), '/')).toBe('status:404');
    const r = router([serviceYaml('a'), base('  ingressClassName: ghost\n')]);
    expect(reach(r, '/')).toBe('status:404');
    expect(r.issues[0]?.message).toContain('does not exist');
  });

  it('serves a class-less Ingress when a served class carries is-default-class', () => {
    const cls =
      'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\n  annotations: { ingressclass.kubernetes.io/is-default-class: "true" }\nspec: { controller: k8s.io/ingress-nginx }';
    expect(reach(router([cls, serviceYaml('a'), base('')]), '/')).toBe('a');
  });

  it('ignores a class-less Ingress without a default class unless watchIngressWithoutClass', () => {
    expect(reach(router([serviceYaml('a'), base('')]), '/')).toBe('status:404');
    expect(reach(router([serviceYaml('a'), base('')], { ingress: { watchIngressWithoutClass: true } }), '/')).toBe('a');
  });

  it('honours the legacy kubernetes.io/ingress.class annotation, read before ingressClassName', () => {
    const ann = '  annotations: { kubernetes.io/ingress.class: nginx }\n';
    expect(reach(router([serviceYaml('a'), base('', ann)]), '/')).toBe('a');
    const other = '  annotations: { kubernetes.io/ingress.class: traefik }\n';
    expect(reach(router([nginxClass, serviceYaml('a'), base('  ingressClassName: nginx\n', other)]), '/')).toBe('status:404');
  });
});

describe('incremental recompilation', () => {
  it('changing one Ingress changes only its hosts, and deleting it removes its rules', () => {
    const r = router([
      nginxClass,
      ...svcs,
      ingressYaml('one', [{ path: '/', type: 'Prefix', service: 'a' }], { host: 'one.com' }),
      ingressYaml('two', [{ path: '/', type: 'Prefix', service: 'b' }], { host: 'two.com' }),
    ]);
    const before = r.ingress.serverCount;
    r.apply(objects(ingressYaml('one', [{ path: '/', type: 'Prefix', service: 'c' }], { host: 'one.com' })));
    expect([reach(r, '/', 'one.com'), reach(r, '/', 'two.com'), r.ingress.serverCount]).toEqual(['c', 'b', before]);
    r.delete(objects(ingressYaml('one', [{ path: '/', type: 'Prefix', service: 'c' }], { host: 'one.com' })));
    expect(reach(r, '/', 'one.com')).toBe('status:404');
  });

  it('endpoint changes apply without recompiling: the slice going empty makes 503', () => {
    const r = router([
      nginxClass,
      serviceYaml('a'),
      ingressYaml('one', [{ path: '/', type: 'Prefix', service: 'a' }], { host: 'foo.com' }),
    ]);
    expect(reach(r, '/')).toBe('a');
    r.apply(objects(serviceYaml('a', [])));
    expect(reach(r, '/')).toBe('status:503');
  });
});
