import { type KubernetesObject, parseManifestsOrThrow } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { compareRouters, formatCheckJUnit, formatCheckText } from './check.js';
import { convertIngresses } from './convert.js';
import { generateCorpus, parseRequestLines } from './corpus.js';
import { buildRouters } from './routers.js';

const ingressNginx = (paths: string, extra = '', annotations = '{}') => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app, annotations: ${annotations}}
spec:
  ingressClassName: nginx${extra}
  rules:
  - host: app.test
    http:
      paths:
${paths}`;

function check(before: KubernetesObject[], after: KubernetesObject[]) {
  const routers = buildRouters(before, after);
  return compareRouters(routers.old, routers.new, generateCorpus(before, after));
}

describe('kemu migrate check', () => {
  it('catches ImplementationSpecific /foo catching /foobar under ingress-nginx but not under a PathPrefix HTTPRoute', () => {
    // ingress-nginx renders ImplementationSpecific as a plain nginx prefix location (string prefix).
    const before = parseManifestsOrThrow(
      ingressNginx(
        '      - {path: /foo, pathType: ImplementationSpecific, backend: {service: {name: foo, port: {number: 80}}}}\n',
      ),
    );
    const naive = parseManifestsOrThrow(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ingress}
spec: {gatewayClassName: kemu, listeners: [{name: http, port: 80, protocol: HTTP, hostname: app.test}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app}
spec:
  parentRefs: [{name: ingress}]
  hostnames: [app.test]
  rules: [{matches: [{path: {type: PathPrefix, value: /foo}}], backendRefs: [{name: foo, port: 80}]}]
`);
    const result = check(before, naive);
    const foobar = result.differences.find((d) => d.request.path === '/foobar' && d.request.scheme === 'http');
    expect(foobar?.old.backend).toBe('default/foo:80');
    expect(foobar?.new.status).toBe(404);
    expect(formatCheckText(result)).toContain('DIFFERENT GET http://app.test/foobar');
  });

  it("finds no difference for the converter's own output when nothing changes meaning", () => {
    const before = parseManifestsOrThrow(
      ingressNginx(
        [
          '      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}',
          '      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 8080}}}}',
          '      - {path: /healthz, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}',
        ].join('\n'),
      ),
    );
    const converted = convertIngresses(before);
    // Normalization and HTTPS on a host without TLS are stated differences; everything else must agree.
    const only = (request: { path: string; scheme: string }) =>
      request.scheme === 'http' && !/%|\/\.|\/\/|\.\./.test(request.path);
    const routers = buildRouters(before, converted.objects);
    const result = compareRouters(routers.old, routers.new, generateCorpus(before, converted.objects).filter(only));
    expect(
      result.differences.map((d) => `${d.request.path}: ${d.old.backend ?? d.old.status} vs ${d.new.backend ?? d.new.status}`),
    ).toEqual([]);
  });

  it('shows every difference the converter states: the HTTPS redirect keeps a trailing slash ingress-nginx strips', () => {
    const before = parseManifestsOrThrow(
      ingressNginx(
        '      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n',
        '\n  tls: [{hosts: [app.test], secretName: app-tls}]',
      ),
    );
    const converted = convertIngresses(before);
    expect(converted.report.entries.find((e) => e.subject === 'TLS / ssl-redirect')?.verdict).toBe('translated-with-difference');
    const result = check(before, converted.objects);
    const slash = result.differences.find((d) => d.request.path === '/api/' || d.request.path === '/');
    expect(slash?.old.location).toBe('https://app.test');
    expect(slash?.new.location).toBe('https://app.test/');
  });

  it('keeps canary weight buckets: every draw lands on the same backend in both', () => {
    const before =
      parseManifestsOrThrow(`${ingressNginx('      - {path: /, pathType: Prefix, backend: {service: {name: v1, port: {number: 80}}}}\n')}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app-canary, annotations: {nginx.ingress.kubernetes.io/canary: "true", nginx.ingress.kubernetes.io/canary-weight: "30"}}
spec:
  ingressClassName: nginx
  rules:
  - host: app.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: v2, port: {number: 80}}}}
`);
    const converted = convertIngresses(before);
    const routers = buildRouters(before, converted.objects);
    const draws = [0.1, 0.5, 0.69, 0.71, 0.99];
    const requests = draws.map((weightSample) => ({
      method: 'GET',
      scheme: 'http' as const,
      host: 'app.test',
      path: '/',
      headers: {},
      weightSample,
    }));
    const answers = requests.map((r) => [routers.old.answer(r).backend, routers.new.answer(r).backend]);
    for (const [old, now] of answers) expect(now).toBe(old);
    expect(new Set(answers.map(([old]) => old))).toEqual(new Set(['default/v1:80', 'default/v2:80']));
  });

  it('writes JUnit with one failed test case per difference', () => {
    const before = parseManifestsOrThrow(
      ingressNginx('      - {path: /foo, pathType: Exact, backend: {service: {name: foo, port: {number: 80}}}}\n'),
    );
    const after = convertIngresses(
      parseManifestsOrThrow(
        ingressNginx('      - {path: /bar, pathType: Exact, backend: {service: {name: foo, port: {number: 80}}}}\n'),
      ),
    ).objects;
    const result = check(before, after);
    const junit = formatCheckJUnit(result);
    expect(junit).toContain(`<testsuites tests="${result.differences.length + 1}" failures="${result.differences.length}">`);
    expect(junit).toMatch(
      /<testcase classname="kemu.migrate.check" name="GET http:\/\/app.test\/foo"><failure message="old: default\/foo:80 \/foo \/ new: 404">/,
    );
  });

  it("reads the user's requests and says which line is wrong", () => {
    const { requests, errors } = parseRequestLines(
      'GET app.test /foo x-canary=always\n# a comment\nPOST https://app.test /api\n10.0.0.1 - - [28/Nov/2026:10:00:00 +0000] "GET /static/a.css HTTP/1.1" 200 12 "-" "curl" app.test\nGET app.test foo\n',
    );
    expect(requests.map((r) => `${r.method} ${r.scheme}://${r.host}${r.path}`)).toEqual([
      'GET http://app.test/foo',
      'POST https://app.test/api',
      'GET http://app.test/static/a.css',
    ]);
    expect(requests[0]!.headers).toEqual({ 'x-canary': 'always' });
    expect(errors).toEqual(['line 5: expected "METHOD host /path [header=value…]", got "GET app.test foo"']);
  });
});
