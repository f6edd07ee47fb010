import {
  type Gateway,
  type HTTPRoute,
  type KubernetesObject,
  parseManifests,
  parseManifestsOrThrow,
  type ReferenceGrant,
} from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { convertIngresses } from './convert.js';
import type { ReportEntry } from './report.js';

const nginxClass = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
`;

/** An Ingress for host h with the given paths and annotations, in class nginx. */
function ingress(
  name: string,
  paths: string,
  options: { host?: string; annotations?: Record<string, string>; extra?: string; created?: string } = {},
): string {
  const annotations = options.annotations ? `\n  annotations: ${JSON.stringify(options.annotations)}` : '';
  const created = options.created ? `\n  creationTimestamp: "${options.created}"` : '';
  const host = options.host === undefined ? 'shop.test' : options.host;
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}${annotations}${created}
spec:
  ingressClassName: nginx${options.extra ?? ''}
  rules:
  - ${host ? `host: ${host}\n    ` : ''}http:
      paths:
${paths}
---
`;
}
const path = (p: string, type: string, service = 'web', port = 80) =>
  `      - {path: "${p}", pathType: ${type}, backend: {service: {name: ${service}, port: {number: ${port}}}}}\n`;

function convert(yaml: string) {
  return convertIngresses(parseManifestsOrThrow(nginxClass + yaml));
}
const routes = (objects: KubernetesObject[]) => objects.filter((o): o is HTTPRoute => o.kind === 'HTTPRoute');
const gateway = (objects: KubernetesObject[]) => objects.find((o): o is Gateway => o.kind === 'Gateway')!;
const entry = (entries: ReportEntry[], subject: string | RegExp) =>
  entries.find((e) => (typeof subject === 'string' ? e.subject === subject : subject.test(e.subject)));

describe('kemu migrate convert: paths', () => {
  it('keeps Prefix as PathPrefix and Exact as Exact (both element-wise / exact in each API)', () => {
    const { objects } = convert(ingress('a', path('/api', 'Prefix') + path('/healthz', 'Exact')));
    expect(routes(objects)[0]!.spec.rules!.map((r) => r.matches![0]!.path)).toEqual([
      { type: 'PathPrefix', value: '/api' },
      { type: 'Exact', value: '/healthz' },
    ]);
  });

  it('turns an ImplementationSpecific path into PathPrefix plus a string-prefix RegularExpression', () => {
    // ingress-nginx renders ImplementationSpecific as a plain nginx prefix location: /foo catches /foobar.
    const { objects, report } = convert(ingress('a', path('/foo', 'ImplementationSpecific')));
    expect(routes(objects)[0]!.spec.rules![0]!.matches!.map((m) => m.path)).toEqual([
      { type: 'PathPrefix', value: '/foo' },
      { type: 'RegularExpression', value: '/foo.*' },
    ]);
    expect(entry(report.entries, /path \/foo/)).toMatchObject({ verdict: 'translated' });
  });

  it('states the trailing-slash 301 difference for a Prefix path written with a trailing slash', () => {
    const { report } = convert(ingress('a', path('/docs/', 'Prefix')));
    expect(entry(report.entries, /path \/docs\//)).toMatchObject({
      verdict: 'translated-with-difference',
      detail: expect.stringContaining('301'),
    });
  });

  it('maps the documented rewrite pattern to PathPrefix + ReplacePrefixMatch', () => {
    // docs/examples/rewrite: path /something(/|$)(.*) with rewrite-target /$2.
    const { objects } = convert(
      ingress('a', path('/something(/|$)(.*)', 'ImplementationSpecific'), {
        annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' },
      }),
    );
    const rule = routes(objects)[0]!.spec.rules![0]!;
    expect(rule.matches![0]!.path).toEqual({ type: 'PathPrefix', value: '/something' });
    expect(rule.filters).toEqual([
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
    ]);
  });

  it('replaces the whole path for a rewrite target without captures', () => {
    const { objects } = convert(
      ingress('a', path('/foo', 'ImplementationSpecific'), {
        annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' },
      }),
    );
    expect(routes(objects)[0]!.spec.rules![0]!.filters![0]).toEqual({
      type: 'URLRewrite',
      urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/' } },
    });
  });

  it('refuses capture groups it cannot express, naming the construct', () => {
    const { objects, report } = convert(
      ingress('a', path('/(user|team)/([0-9]+)', 'ImplementationSpecific'), {
        annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2/$1' },
      }),
    );
    expect(routes(objects)).toEqual([]);
    expect(entry(report.entries, /path \/\(user/)).toMatchObject({
      verdict: 'refused',
      detail: expect.stringContaining('"/$2/$1"'),
    });
  });
});

describe('kemu migrate convert: hosts, TLS and merging', () => {
  it('gives each host its own listener, so a miss never falls through to host-less rules (one nginx server per host)', () => {
    const { objects } = convert(ingress('a', path('/', 'Prefix')) + ingress('b', path('/', 'Prefix', 'other'), { host: '' }));
    expect(gateway(objects).spec.listeners.map((l) => `${l.name}:${l.hostname ?? '*'}`)).toEqual([
      'http-shop-test:shop.test',
      'http:*',
    ]);
  });

  it("terminates TLS on an HTTPS listener and redirects HTTP with 308, ingress-nginx's default code", () => {
    const tls = '\n  tls: [{hosts: [shop.test], secretName: shop-tls}]';
    const { objects } = convert(ingress('a', path('/', 'Prefix'), { extra: tls }));
    const https = gateway(objects).spec.listeners.find((l) => l.protocol === 'HTTPS')!;
    expect(https).toMatchObject({
      port: 443,
      hostname: 'shop.test',
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'shop-tls' }] },
    });
    const redirect = routes(objects).find((r) => r.metadata.name.endsWith('https-redirect'))!;
    expect(redirect.spec.rules![0]!.filters![0]).toEqual({
      type: 'RequestRedirect',
      requestRedirect: { scheme: 'https', statusCode: 308 },
    });
    expect(routes(objects).find((r) => r.metadata.name === 'a-shop-test')!.spec.parentRefs).toEqual([
      { name: 'ingress', sectionName: 'https-shop-test' },
    ]);
  });

  it('serves HTTP and HTTPS when ssl-redirect is "false"', () => {
    const tls = '\n  tls: [{hosts: [shop.test], secretName: shop-tls}]';
    const { objects } = convert(
      ingress('a', path('/', 'Prefix'), { extra: tls, annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } }),
    );
    expect(routes(objects).map((r) => r.spec.parentRefs!.map((p) => p.sectionName))).toEqual([
      ['https-shop-test', 'http-shop-test'],
    ]);
  });

  it('keeps the oldest Ingress for a host and path that two Ingresses declare', () => {
    // ingress-nginx docs/how-it-works.md: on a conflicting path, the oldest Ingress wins.
    const { objects, report } = convert(
      ingress('newer', path('/api', 'Prefix', 'v2'), { created: '2025-02-01T00:00:00Z' }) +
        ingress('older', path('/api', 'Prefix', 'v1'), { created: '2025-01-01T00:00:00Z' }),
    );
    expect(routes(objects).map((r) => r.metadata.name)).toEqual(['older-shop-test']);
    expect(report.entries.find((e) => e.object === 'Ingress/default/newer')).toMatchObject({
      detail: expect.stringContaining('Ingress/default/older is older'),
    });
  });

  it('states that an Ingress wildcard (one label) is wider in Gateway API (any labels)', () => {
    const { report } = convert(ingress('a', path('/', 'Prefix'), { host: '"*.shop.test"' }));
    expect(entry(report.entries, 'host *.shop.test')).toMatchObject({ verdict: 'translated-with-difference' });
  });

  it('shares one Gateway across namespaces with a ReferenceGrant for each Secret it reads', () => {
    const tls = '\n  tls: [{hosts: [shop.test], secretName: shop-tls}]';
    const result = convertIngresses(parseManifestsOrThrow(nginxClass + ingress('a', path('/', 'Prefix'), { extra: tls })), {
      gatewayNamespace: 'gateways',
    });
    const grant = result.objects.find((o): o is ReferenceGrant => o.kind === 'ReferenceGrant')!;
    expect(grant.metadata.namespace).toBe('default');
    expect(grant.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateways' }],
      to: [{ group: '', kind: 'Secret', name: 'shop-tls' }],
    });
    expect(routes(result.objects).find((r) => r.metadata.name === 'a-shop-test')!.spec.parentRefs![0]).toMatchObject({
      namespace: 'gateways',
    });
  });

  it('leaves out Ingresses of another class, and says so', () => {
    const other = ingress('a', path('/', 'Prefix')).replace('ingressClassName: nginx', 'ingressClassName: traefik');
    const { objects, report } = convert(other);
    expect(routes(objects)).toEqual([]);
    expect(report.entries[0]).toMatchObject({ verdict: 'refused', detail: expect.stringContaining('class "traefik"') });
  });
});

describe('kemu migrate convert: annotations', () => {
  it('turns a weighted canary into weighted backendRefs and a header canary into header matches', () => {
    const main = ingress('main', path('/', 'Prefix', 'v1'));
    const canary = ingress('canary', path('/', 'Prefix', 'v2'), {
      annotations: {
        'nginx.ingress.kubernetes.io/canary': 'true',
        'nginx.ingress.kubernetes.io/canary-weight': '20',
        'nginx.ingress.kubernetes.io/canary-by-header': 'x-beta',
      },
    });
    const rules = routes(convert(main + canary).objects)[0]!.spec.rules!;
    expect(
      rules.map((r) => [
        r.matches![0]!.headers?.[0]?.value ?? '-',
        r.backendRefs!.map((b) => `${b.name}:${b.weight ?? 1}`).join(','),
      ]),
    ).toEqual([
      ['always', 'v2:1'],
      ['never', 'v1:1'],
      ['-', 'v2:20,v1:80'],
    ]);
  });

  it('redirects / to app-root with 302', () => {
    const { objects } = convert(
      ingress('a', path('/', 'Prefix'), { annotations: { 'nginx.ingress.kubernetes.io/app-root': '/app' } }),
    );
    expect(routes(objects)[0]!.spec.rules![0]).toEqual({
      matches: [{ path: { type: 'Exact', value: '/' } }],
      filters: [
        {
          type: 'RequestRedirect',
          requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: '/app' }, statusCode: 302 },
        },
      ],
    });
  });

  it('turns permanent-redirect into a 301 RequestRedirect and states the query-string difference', () => {
    const { objects, report } = convert(
      ingress('a', path('/', 'Prefix'), {
        annotations: { 'nginx.ingress.kubernetes.io/permanent-redirect': 'https://new.test/start' },
      }),
    );
    expect(routes(objects)[0]!.spec.rules![0]!.filters![0]!.requestRedirect).toEqual({
      scheme: 'https',
      hostname: 'new.test',
      path: { type: 'ReplaceFullPath', replaceFullPath: '/start' },
      statusCode: 301,
    });
    expect(entry(report.entries, 'nginx.ingress.kubernetes.io/permanent-redirect')).toMatchObject({
      verdict: 'translated-with-difference',
    });
  });

  it('always refuses snippets, and refuses what Gateway API v1 cannot express', () => {
    const { report } = convert(
      ingress('a', path('/', 'Prefix'), {
        annotations: {
          'nginx.ingress.kubernetes.io/server-snippet': 'return 418;',
          'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8',
          'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
          'nginx.ingress.kubernetes.io/made-up': 'x',
        },
      }),
    );
    for (const name of ['server-snippet', 'whitelist-source-range', 'proxy-body-size', 'made-up']) {
      expect(entry(report.entries, `nginx.ingress.kubernetes.io/${name}`), name).toMatchObject({ verdict: 'refused' });
    }
  });

  it('gives every annotation a verdict: nothing is dropped silently', () => {
    const annotations = {
      'nginx.ingress.kubernetes.io/x-forwarded-prefix': '/shop',
      'team.example.com/owner': 'shop',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '15',
    };
    const { report } = convert(ingress('a', path('/', 'Prefix'), { annotations }));
    for (const name of Object.keys(annotations)) expect(entry(report.entries, name), name).toBeDefined();
  });

  it('resolves a named Service port through the Service, and refuses when the Service is missing', () => {
    const named = (svc: string) =>
      `      - {path: /, pathType: Prefix, backend: {service: {name: ${svc}, port: {name: http}}}}\n`;
    const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{name: http, port: 8080}]}\n---\n';
    expect(routes(convert(service + ingress('a', named('web'))).objects)[0]!.spec.rules![0]!.backendRefs).toEqual([
      { name: 'web', port: 8080 },
    ]);
    expect(entry(convert(ingress('a', named('ghost'))).report.entries, /path \//)).toMatchObject({
      verdict: 'refused',
      detail: expect.stringContaining('Service not in the input'),
    });
  });
});

describe('kemu migrate convert: output', () => {
  it('produces manifests that load back without errors', () => {
    const { objects } = convert(
      ingress('a', path('/', 'Prefix') + path('/static', 'ImplementationSpecific'), {
        extra: '\n  tls: [{hosts: [shop.test], secretName: t}]',
      }) +
        ingress('b', path('/v1(/|$)(.*)', 'ImplementationSpecific'), {
          host: 'api.test',
          annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' },
        }),
    );
    const text = objects.map((o) => stringify(o, { aliasDuplicateObjects: false })).join('---\n');
    expect(parseManifests(text).issues).toEqual([]);
  });
});
