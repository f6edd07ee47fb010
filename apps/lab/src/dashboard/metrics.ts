import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TrafficRecord } from './traffic-log.js';

// Metric names people already have dashboards for: kube-proxy's (pkg/proxy/metrics/metrics.go),
// ingress-nginx's (internal/ingress/metric/collectors/socket.go) and the CSI sidecars'
// (kubernetes-csi/csi-lib-utils metrics: csi_sidecar_operations_seconds). kemu's own are kemu_*.

/**
 * Labels of ingress-nginx's request metrics: the collector's constant labels (controller
 * namespace, class and pod), then requestTags with `host` (--metrics-per-host, on by default),
 * as internal/ingress/metric/collectors/socket.go declares them.
 */
export const ingressRequestLabels = [
  'controller_namespace',
  'controller_class',
  'controller_pod',
  'status',
  'method',
  'path',
  'namespace',
  'ingress',
  'service',
  'canary',
  'host',
] as const;

/** The lab's Prometheus registry with every metric it exports. */
export class LabMetrics {
  /** The registry `/metrics` serves. */
  readonly registry = new Registry();

  /** kube-proxy: how long one sync of the rules took. */
  readonly syncProxyRulesDuration = new Histogram({
    name: 'kubeproxy_sync_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds',
    labelNames: ['node'],
    buckets: Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i), // ExponentialBuckets(0.001, 2, 15), as upstream
    registers: [this.registry],
  });

  /** kube-proxy: when the rules were last synced. */
  readonly syncProxyRulesLastTimestamp = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
    help: 'The last time proxy rules were successfully synced',
    labelNames: ['node'],
    registers: [this.registry],
  });

  /** ingress-nginx: requests served, by ingress, host, status. */
  readonly ingressRequests = new Counter({
    name: 'nginx_ingress_controller_requests',
    help: 'The total number of client requests',
    labelNames: ingressRequestLabels,
    registers: [this.registry],
  });

  /** ingress-nginx: request duration ($request_time), in the controller's default --time-buckets. */
  readonly ingressRequestDuration = new Histogram({
    name: 'nginx_ingress_controller_request_duration_seconds',
    help: 'The request processing time in milliseconds',
    labelNames: ingressRequestLabels,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], // prometheus.DefBuckets
    registers: [this.registry],
  });

  /** ingress-nginx: response sizes ($bytes_sent), in the controller's default --length-buckets. */
  readonly ingressResponseSize = new Histogram({
    name: 'nginx_ingress_controller_response_size',
    help: 'The response length (including request line, header, and request body)',
    labelNames: ingressRequestLabels,
    buckets: Array.from({ length: 10 }, (_, i) => 10 * (i + 1)), // prometheus.LinearBuckets(10, 10, 10)
    registers: [this.registry],
  });

  /** CSI sidecars: gRPC operations against the driver. */
  readonly csiOperations = new Histogram({
    name: 'csi_sidecar_operations_seconds',
    help: 'Container Storage Interface operation duration with gRPC error code status total',
    labelNames: ['driver_name', 'method_name', 'grpc_status_code'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 25, 50, 120, 300, 600],
    registers: [this.registry],
  });

  /** kemu: connections and bytes carried per Service and pod, and failures. */
  readonly trafficRequests = new Counter({
    name: 'kemu_traffic_requests_total',
    help: 'Requests and connections the lab data plane carried, by protocol, service and outcome',
    labelNames: ['protocol', 'service', 'outcome'],
    registers: [this.registry],
  });

  /** kemu: bytes carried per Service. */
  readonly trafficBytes = new Counter({
    name: 'kemu_traffic_bytes_total',
    help: 'Bytes the lab data plane carried, by protocol and service',
    labelNames: ['protocol', 'service'],
    registers: [this.registry],
  });

  /** kemu: objects in the store by kind. */
  readonly objects = new Gauge({
    name: 'kemu_objects',
    help: 'Objects in the lab store, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  /** Counts one record of the traffic log (the data plane calls this through the log). */
  observeTraffic(record: TrafficRecord): void {
    const outcome = record.status < 0 ? 'failed' : record.status >= 500 ? 'error' : 'ok';
    const service = record.service ?? '';
    this.trafficRequests.inc({ protocol: record.protocol, service, outcome });
    this.trafficBytes.inc({ protocol: record.protocol, service }, record.bytes);
  }

  /** The text exposition format. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
