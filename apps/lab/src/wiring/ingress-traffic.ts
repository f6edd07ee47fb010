// What the lab records for each request the ingress answered: ingress-nginx's request metrics
// (internal/ingress/metric/collectors/socket.go: requests, request_duration_seconds,
// response_size) and one traffic-log record with the hops the model chose.
import type { ResponseCompletion } from '@kemu/ingress/proxy';
import type { LabMetrics } from '../dashboard/metrics.js';
import type { TrafficLog, TrafficRecord } from '../dashboard/traffic-log.js';
import { ingressControllerPeer } from './cni-host-gateway.js';

/** Which pod has an address (the lab's address book). */
export type PodLookup = (podIP: string) => { namespace: string; name: string; node: string } | undefined;

/** The traffic-log record for one completed ingress response. */
export function ingressTrafficRecord(
  completion: ResponseCompletion,
  time = Date.now(),
  podAt: PodLookup = () => undefined,
): Omit<TrafficRecord, 'id'> {
  const { answer, request } = completion;
  const outcome = answer.outcome;
  const backend = outcome.type === 'backend' ? `${outcome.backend.namespace}/${outcome.backend.service}` : undefined;
  const host = request.host.replace(/:\d+$/, '');
  const method = request.method ?? 'GET';
  const upstream = completion.upstream;
  const pod = upstream ? podAt(upstream.address) : undefined;
  return {
    time,
    protocol: 'http',
    summary: `${method} ${host}${request.path}`,
    // The traffic log's -1 is "failed": a response the client never got in full.
    status: completion.aborted ? -1 : completion.status,
    durationMs: completion.durationMs,
    bytes: completion.bytes,
    ...(backend ? { service: backend } : {}),
    ...(pod ? { pod: `${pod.namespace}/${pod.name}` } : {}),
    hops: [
      {
        kind: answer.route?.kind ?? 'ingress',
        detail: answer.route ? `${answer.route.namespace}/${answer.route.name} ${answer.route.rule}` : answer.reason,
      },
      ...(outcome.type === 'backend'
        ? [{ kind: 'service', detail: `${backend}:${outcome.backend.port} → ${outcome.upstreamPath}` }]
        : [{ kind: 'status', detail: `${outcome.status} ${answer.message}` }]),
      ...(upstream
        ? [
            { kind: 'endpoint', detail: `${upstream.address}:${upstream.port}` },
            // The lab's ingress reaches pods through the host's node agent and the pod's node's tunnel.
            ...(pod
              ? [
                  { kind: 'tunnel', detail: `overlay: host -> ${pod.node}`, node: pod.node },
                  { kind: 'pod', detail: `${pod.namespace}/${pod.name}`, node: pod.node },
                ]
              : []),
          ]
        : []),
    ],
  };
}

/**
 * Observes one completed response in ingress-nginx's metrics, labelled as the controller labels
 * them (rootfs/etc/nginx/lua/monitor.lua): the Ingress and the location's Service by name (the main
 * one even when a canary answers: $service_name is set per location), `path` the location's
 * Ingress path ($location_path, not the request's), `canary` the alternative upstream's name
 * (`namespace-service-port`) when a canary took the request, and the controller as kind deploys it.
 */
export function observeIngressMetrics(metrics: LabMetrics, completion: ResponseCompletion): void {
  const { answer, request } = completion;
  const outcome = answer.outcome;
  const backend = outcome.type === 'backend' ? outcome.backend : undefined;
  const labels = {
    controller_namespace: ingressControllerPeer.namespace,
    controller_class: 'k8s.io/ingress-nginx',
    controller_pod: ingressControllerPeer.name,
    status: String(completion.status),
    method: request.method ?? 'GET',
    path: answer.route?.locationPath ?? '',
    namespace: answer.route?.namespace ?? '',
    ingress: answer.route?.name ?? '',
    service: answer.route?.locationService ?? backend?.service ?? '',
    canary:
      backend && outcome.type === 'backend' && outcome.canary ? `${backend.namespace}-${backend.service}-${backend.port}` : '',
    host: request.host.replace(/:\d+$/, ''),
  };
  metrics.ingressRequests.inc(labels);
  // socket.go observes $request_time (seconds) and $bytes_sent.
  metrics.ingressRequestDuration.observe(labels, completion.durationMs / 1000);
  metrics.ingressResponseSize.observe(labels, completion.bytes);
}

/** The `onComplete` handler the lab gives its ingress: metrics plus one traffic record per response. */
export function recordIngressTraffic(
  metrics: LabMetrics,
  traffic: TrafficLog,
  podAt?: PodLookup,
): (completion: ResponseCompletion) => void {
  return (completion) => {
    observeIngressMetrics(metrics, completion);
    traffic.add(ingressTrafficRecord(completion, Date.now(), podAt));
  };
}
