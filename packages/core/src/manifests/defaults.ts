import { isNamespaced } from '../objects/kinds.js';

// The API server's defaulting that matters downstream (pkg/apis/*/v1/defaults.go and the
// Gateway API CRD defaults). Applied to plain JSON in place; tolerant of wrong types, which the
// shape check reports separately.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
function setDefault(target: Json, field: string, value: unknown): void {
  if (target[field] === undefined || target[field] === null) target[field] = value;
}
function child(target: Json, field: string): Json {
  if (!isObject(target[field])) target[field] = {};
  return target[field] as Json;
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  if (isObject(probe.httpGet)) {
    if (!probe.httpGet.path) probe.httpGet.path = '/';
    setDefault(probe.httpGet, 'scheme', 'HTTP');
  }
}

function defaultContainer(container: Json): void {
  for (const port of list(container.ports)) setDefault(port, 'protocol', 'TCP');
  if (typeof container.image === 'string' && container.imagePullPolicy === undefined) {
    // SetDefaults_Container: Always for :latest or no tag, else IfNotPresent.
    const lastPart = container.image.split('/').pop() ?? '';
    const tagged = lastPart.includes(':') || container.image.includes('@');
    container.imagePullPolicy = !tagged || lastPart.endsWith(':latest') ? 'Always' : 'IfNotPresent';
  }
  defaultProbe(container.readinessProbe);
  defaultProbe(container.livenessProbe);
  defaultProbe(container.startupProbe);
}

function defaultPodSpec(spec: unknown): void {
  if (!isObject(spec)) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'enableServiceLinks', true);
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) defaultContainer(c);
}

function defaultTemplate(spec: Json): void {
  if (isObject(spec.template)) defaultPodSpec(spec.template.spec);
}

const byKind: Record<string, (object: Json) => void> = {
  Pod(object) {
    defaultPodSpec(object.spec);
  },
  Service(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    if (spec.sessionAffinity === 'ClientIP') {
      setDefault(child(child(spec, 'sessionAffinityConfig'), 'clientIP'), 'timeoutSeconds', 10800);
    }
    for (const port of list(spec.ports)) {
      setDefault(port, 'protocol', 'TCP');
      if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') {
        port.targetPort = port.port;
      }
    }
    if (spec.type !== 'ExternalName') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
    if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  },
  Deployment(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'replicas', 1);
    const strategy = child(spec, 'strategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const rolling = child(strategy, 'rollingUpdate');
      setDefault(rolling, 'maxUnavailable', '25%');
      setDefault(rolling, 'maxSurge', '25%');
    }
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
    defaultTemplate(spec);
  },
  ReplicaSet(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'replicas', 1);
    defaultTemplate(spec);
  },
  StatefulSet(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    const strategy = child(spec, 'updateStrategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') setDefault(child(strategy, 'rollingUpdate'), 'partition', 0);
    setDefault(spec, 'revisionHistoryLimit', 10);
    for (const claim of list(spec.volumeClaimTemplates))
      if (isObject(claim.spec)) setDefault(claim.spec, 'volumeMode', 'Filesystem');
    defaultTemplate(spec);
  },
  EndpointSlice(object) {
    for (const port of list(object.ports)) setDefault(port, 'protocol', 'TCP');
  },
  NetworkPolicy(object) {
    const spec = child(object, 'spec');
    for (const rule of [...list(spec.ingress), ...list(spec.egress)])
      for (const port of list(rule.ports)) setDefault(port, 'protocol', 'TCP');
    // SetDefaults_NetworkPolicy: Ingress always, Egress when egress rules are given.
    if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
      spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    }
  },
  PersistentVolumeClaim(object) {
    setDefault(child(object, 'spec'), 'volumeMode', 'Filesystem');
  },
  PersistentVolume(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(spec, 'volumeMode', 'Filesystem');
  },
  StorageClass(object) {
    setDefault(object, 'reclaimPolicy', 'Delete');
    setDefault(object, 'volumeBindingMode', 'Immediate');
  },
  Secret(object) {
    setDefault(object, 'type', 'Opaque');
  },
  Gateway(object) {
    for (const listener of list(child(object, 'spec').listeners)) {
      setDefault(child(child(listener, 'allowedRoutes'), 'namespaces'), 'from', 'Same');
      if (isObject(listener.tls)) setDefault(listener.tls, 'mode', 'Terminate');
    }
  },
  HTTPRoute(object) {
    const spec = child(object, 'spec');
    for (const parent of list(spec.parentRefs)) {
      setDefault(parent, 'group', 'gateway.networking.k8s.io');
      setDefault(parent, 'kind', 'Gateway');
    }
    if (!Array.isArray(spec.rules)) spec.rules = [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }];
    for (const rule of list(spec.rules)) {
      if (!Array.isArray(rule.matches) || rule.matches.length === 0)
        rule.matches = [{ path: { type: 'PathPrefix', value: '/' } }];
      for (const match of list(rule.matches)) {
        const path = child(match, 'path');
        setDefault(path, 'type', 'PathPrefix');
        setDefault(path, 'value', '/');
        for (const header of list(match.headers)) setDefault(header, 'type', 'Exact');
        for (const query of list(match.queryParams)) setDefault(query, 'type', 'Exact');
      }
      for (const backend of list(rule.backendRefs)) {
        setDefault(backend, 'group', '');
        setDefault(backend, 'kind', 'Service');
        setDefault(backend, 'weight', 1);
      }
    }
  },
};

/**
 * Applies the API server's defaults to one object in place: `metadata.namespace` (`default`
 * unless given) for namespaced kinds, then the kind's own defaults.
 */
export function applyDefaults(object: Json, defaultNamespace = 'default'): void {
  const kind = object.kind as string;
  const metadata = child(object, 'metadata');
  if (isNamespaced(kind) && !metadata.namespace) metadata.namespace = defaultNamespace;
  byKind[kind]?.(object);
}
