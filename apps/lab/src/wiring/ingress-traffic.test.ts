// What the lab records per ingress response: ingress-nginx's metric names and labels
// (internal/ingress/metric/collectors/socket.go) and a traffic record with the measured duration and bytes.
import { parseManifestsOrThrow } from '@kemu/core';
import { type HTTPRequest, Router } from '@kemu/ingress';
import type { ResponseCompletion } from '@kemu/ingress/proxy';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { LabMetrics } from '../dashboard/metrics.js';
import { TrafficLog, type TrafficRecord } from '../dashboard/traffic-log.js';
import { startFullLab } from './full-lab.js';
import { ingressTrafficRecord, recordIngressTraffic } from './ingress-traffic.js';

const router = new Router(
  parseManifestsOrThrow(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: nginx }
spec: { controller: k8s.io/ingress-nginx }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { ports: [ { name: http, port: 80, targetPort: 8080 } ] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-abc, namespace: shop, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
ports: [ { name: http, port: 8080, protocol: TCP } ]
endpoints: [ { addresses: [10.244.1.10], conditions: { ready: true } } ]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop, namespace: shop }
spec:
  ingressClassName: nginx
  rules:
    - host: shop.test
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
`),
);

function completion(host: string, extra: Partial<ResponseCompletion> = {}): ResponseCompletion {
  const request: HTTPRequest = { method: 'GET', host, path: '/cart?id=1' };
  return { answer: router.match(request), request, status: 200, durationMs: 12.5, bytes: 321, aborted: false, ...extra };
}

// A canary Ingress taking every request (canary-weight 100) for the same host and path.
const canaryRouter = new Router(
  parseManifestsOrThrow(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: nginx }
spec: { controller: k8s.io/ingress-nginx }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { ports: [ { port: 80 } ] }
---
apiVersion: v1
kind: Service
metadata: { name: web-v2, namespace: shop }
spec: { ports: [ { port: 80 } ] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: shop, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
ports: [ { port: 80, protocol: TCP } ]
endpoints: [ { addresses: [10.244.1.10] } ]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-v2-1, namespace: shop, labels: { kubernetes.io/service-name: web-v2 } }
addressType: IPv4
ports: [ { port: 80, protocol: TCP } ]
endpoints: [ { addresses: [10.244.2.10] } ]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop, namespace: shop }
spec:
  ingressClassName: nginx
  rules: [ { host: shop.test, http: { paths: [ { path: /cart, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } } ] } } ]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop-canary
  namespace: shop
  annotations: { nginx.ingress.kubernetes.io/canary: "true", nginx.ingress.kubernetes.io/canary-weight: "100" }
spec:
  ingressClassName: nginx
  rules: [ { host: shop.test, http: { paths: [ { path: /cart, pathType: Prefix, backend: { service: { name: web-v2, port: { number: 80 } } } } ] } } ]
`),
);

describe('ingress traffic', () => {
  it('records the measured duration and bytes with the model hops', () => {
    const record = ingressTrafficRecord(completion('shop.test:8080'), 1_000);
    expect(record).toMatchObject({
      time: 1_000,
      protocol: 'http',
      summary: 'GET shop.test/cart?id=1',
      status: 200,
      durationMs: 12.5,
      bytes: 321,
      service: 'shop/web',
    });
    expect(record.hops.map((h) => h.kind)).toEqual(['Ingress', 'service']);
  });

  it('records a response the client did not get in full as failed (-1)', () => {
    expect(ingressTrafficRecord(completion('shop.test', { aborted: true, status: 499 })).status).toBe(-1);
  });

  it("observes ingress-nginx's requests, request_duration_seconds and response_size with its labels", async () => {
    // socket.go: constant controller_* labels, then requestTags + host; monitor.lua: ingress and
    // service by name, path = $location_path (the Ingress path, not /cart?id=1).
    const metrics = new LabMetrics();
    const traffic = new TrafficLog();
    recordIngressTraffic(metrics, traffic)(completion('shop.test'));
    recordIngressTraffic(metrics, traffic)(completion('nobody.test', { status: 404, bytes: 100, durationMs: 1 }));
    const text = await metrics.exposition();
    const labels =
      'controller_namespace="ingress-nginx",controller_class="k8s.io/ingress-nginx",controller_pod="ingress-nginx-controller",' +
      'status="200",method="GET",path="/",namespace="shop",ingress="shop",service="web",canary="",host="shop.test"';
    expect(text).toContain(`nginx_ingress_controller_requests{${labels}} 1`);
    expect(text).toContain(`nginx_ingress_controller_request_duration_seconds_sum{${labels}} 0.0125`);
    expect(text).toContain(`nginx_ingress_controller_response_size_sum{${labels}} 321`);
    // --length-buckets default: prometheus.LinearBuckets(10, 10, 10), so 321 bytes fall only in +Inf.
    expect(text).toContain(`nginx_ingress_controller_response_size_bucket{le="100",${labels}} 0`);
    // The status is the one sent (the proxy's own 404 here), not the model's guess.
    expect(text).toMatch(/nginx_ingress_controller_requests\{[^}]*status="404"[^}]*host="nobody.test"[^}]*\} 1/);
    expect(traffic.recent().map((r) => r.status)).toEqual([200, 404]);
  });

  it("labels a request a canary took with the alternative upstream's name, namespace-service-port", async () => {
    // monitor.lua: canary = $proxy_alternative_upstream_name; upstream names are ns-service-port
    // (internal/ingress/controller/controller.go upstreamName). The Ingress and Service labels stay the
    // location's own ($ingress_name, $service_name are set per location in nginx.tmpl).
    const metrics = new LabMetrics();
    const request: HTTPRequest = { method: 'GET', host: 'shop.test', path: '/cart/1' };
    const answer = canaryRouter.match(request);
    recordIngressTraffic(metrics, new TrafficLog())({ answer, request, status: 200, durationMs: 1, bytes: 10, aborted: false });
    expect(await metrics.exposition()).toMatch(
      /nginx_ingress_controller_requests\{[^}]*path="\/cart",namespace="shop",ingress="shop",service="web",canary="shop-web-v2-80"[^}]*\} 1/,
    );
  });
});

describe('ingress traffic in a running lab', () => {
  it('logs each request through the ingress with its real duration and bytes', async () => {
    const full = await startFullLab({
      objects: parseManifestsOrThrow(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: nginx }
spec: { controller: k8s.io/ingress-nginx }
---
apiVersion: v1
kind: Pod
metadata: { name: web, labels: { app: web } }
spec:
  terminationGracePeriodSeconds: 0
  containers: [ { name: echo, image: kemu/echo, ports: [ { containerPort: 8080 } ] } ]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [ { port: 80, targetPort: 8080 } ] }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web }
spec:
  ingressClassName: nginx
  rules:
    - host: web.test
      http: { paths: [ { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } } ] }
`),
      ingressPort: 0,
      dashboardPort: false,
      api: false,
    });
    try {
      await full.lab.ready();
      await full.ingress.settled();
      const logged = new Promise<TrafficRecord>((resolve) =>
        full.traffic.subscribe((r) => {
          if (r.summary === 'GET web.test/hello') resolve(r);
        }),
      );
      const response = await request(`${full.ingress.url}/hello`, { headers: { host: 'web.test' } });
      const body = await response.body.text();
      const record = await logged;
      expect(record).toMatchObject({ status: 200, service: 'default/web', summary: 'GET web.test/hello' });
      // Bytes on the wire: the echo's JSON body plus the status line and headers.
      expect(record.bytes).toBeGreaterThan(Buffer.byteLength(body));
      expect(record.durationMs).toBeGreaterThan(0);
    } finally {
      await full.close();
    }
  });
});
