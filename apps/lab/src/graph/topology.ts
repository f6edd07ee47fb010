import {
  type Deployment,
  type HTTPRoute,
  type Ingress,
  type KubernetesObject,
  labelSelector,
  mapSelector,
  type NetworkPolicy,
  ofKind,
  type Pod,
  type PodTemplateSpec,
  type Service,
  type StatefulSet,
} from '@kemu/core';

/** A box in the lab diagram. */
export interface GraphNode {
  /** Stable identifier, safe for Mermaid and SVG ids. */
  id: string;
  kind: string;
  namespace?: string;
  name: string;
  /** Column of the left-to-right layout: entry points first, storage last. */
  layer: number;
  /** Node (machine) the object runs on, when known: pods are grouped by node. */
  nodeName?: string;
  /** A second line: a pod's IP and readiness in a running lab. */
  detail?: string;
}

/** An arrow: traffic (solid), storage (thick), a NetworkPolicy allowance (dotted) or ownership (a plain line). */
export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  style: 'traffic' | 'storage' | 'policy' | 'owner';
}

/** The lab's shape: what routes to what, what mounts what, and which policies allow which traffic. */
export interface Topology {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const layers: Record<string, number> = {
  Gateway: 0,
  Ingress: 0,
  HTTPRoute: 1,
  Service: 2,
  Deployment: 3,
  StatefulSet: 3,
  Pod: 4,
  PersistentVolumeClaim: 5,
  StorageClass: 6,
};

/** A workload with the pod template (or pod) its Services and policies select. */
interface Workload {
  node: GraphNode;
  namespace: string;
  labels: Record<string, string>;
  template: PodTemplateSpec;
}

function idOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}_${namespace ?? ''}_${name}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * Builds the lab diagram from objects: Ingresses and HTTPRoutes to Services, Services to the
 * workloads they select, workloads to their claims and storage classes, and NetworkPolicy
 * allowances between workloads — the picture the Kubernetes guides draw. For a running lab
 * (pods bound to nodes) Services point at the pods they select, grouped by node with their IPs and
 * readiness, as the Service and Ingress concept pages draw them; each pod links to its own claim.
 * Policies stay between workloads: drawn per pod, every replica pair would get an edge.
 */
export function buildTopology(objects: readonly KubernetesObject[]): Topology {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const add = (object: KubernetesObject, nodeName?: string): GraphNode => {
    const id = idOf(object.kind, object.metadata.namespace, object.metadata.name);
    let node = nodes.get(id);
    if (!node) {
      node = {
        id,
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        layer: layers[object.kind] ?? 3,
        nodeName,
      };
      nodes.set(id, node);
    }
    return node;
  };
  const ref = (kind: string, namespace: string | undefined, name: string) => nodes.get(idOf(kind, namespace, name));

  const workloads: Workload[] = [];
  for (const d of [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'StatefulSet')] as (Deployment | StatefulSet)[]) {
    workloads.push({
      node: add(d),
      namespace: d.metadata.namespace!,
      labels: d.spec.template.metadata?.labels ?? {},
      template: d.spec.template,
    });
  }
  const allPods = ofKind(objects, 'Pod') as Pod[];
  const owned = (pod: Pod) => pod.metadata.ownerReferences?.some((o) => o.controller) ?? false;
  const live = allPods.some((pod) => pod.spec.nodeName && owned(pod));
  // Pods the diagram draws: in a running lab every scheduled pod; from manifests, standalone ones.
  const pods: Workload[] = [];
  for (const pod of allPods) {
    if (live ? !pod.spec.nodeName : owned(pod)) continue;
    const drawn: Workload = {
      node: add(pod, pod.spec.nodeName),
      namespace: pod.metadata.namespace!,
      labels: pod.metadata.labels ?? {},
      template: { spec: pod.spec },
    };
    if (live) drawn.node.detail = podDetail(pod);
    pods.push(drawn);
    if (!owned(pod)) workloads.push(drawn);
    else {
      const owner = workloadOf(pod, ref);
      if (owner) edges.push({ from: owner.id, to: drawn.node.id, style: 'owner' });
    }
  }
  // What a Service's traffic reaches: the pods themselves in a running lab, else the workloads.
  const backends = live ? pods : workloads;
  for (const service of ofKind(objects, 'Service') as Service[]) {
    const node = add(service);
    const selector = mapSelector(service.spec.selector);
    for (const w of backends) {
      if (service.spec.selector && w.namespace === service.metadata.namespace && selector.matches(w.labels)) {
        edges.push({
          from: node.id,
          to: w.node.id,
          style: 'traffic',
          label: (service.spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', '),
        });
      }
    }
  }
  for (const ingress of ofKind(objects, 'Ingress') as Ingress[]) {
    const node = add(ingress);
    const namespace = ingress.metadata.namespace;
    for (const rule of ingress.spec.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const target = path.backend.service && ref('Service', namespace, path.backend.service.name);
        if (target)
          edges.push({ from: node.id, to: target.id, style: 'traffic', label: `${rule.host ?? '*'}${path.path ?? '/'}` });
      }
    }
    const fallback = ingress.spec.defaultBackend?.service && ref('Service', namespace, ingress.spec.defaultBackend.service.name);
    if (fallback) edges.push({ from: node.id, to: fallback.id, style: 'traffic', label: 'default backend' });
  }
  for (const gateway of ofKind(objects, 'Gateway')) add(gateway);
  for (const route of ofKind(objects, 'HTTPRoute') as HTTPRoute[]) {
    const node = add(route);
    const namespace = route.metadata.namespace;
    for (const parent of route.spec.parentRefs ?? []) {
      const gateway = ref('Gateway', parent.namespace ?? namespace, parent.name);
      if (gateway)
        edges.push({
          from: gateway.id,
          to: node.id,
          style: 'traffic',
          label: (route.spec.hostnames ?? []).join(', ') || undefined,
        });
    }
    for (const rule of route.spec.rules ?? []) {
      const total = (rule.backendRefs ?? []).reduce((sum, b) => sum + (b.weight ?? 1), 0);
      for (const backend of rule.backendRefs ?? []) {
        const target = ref('Service', backend.namespace ?? namespace, backend.name);
        const share =
          total > 0 && (rule.backendRefs?.length ?? 0) > 1 ? ` ${Math.round(((backend.weight ?? 1) / total) * 100)}%` : '';
        const path = rule.matches?.[0]?.path?.value ?? '/';
        if (target) edges.push({ from: node.id, to: target.id, style: 'traffic', label: `${path}${share}` });
      }
    }
  }
  addStorage(objects, live ? pods : workloads, live, add, ref, edges);
  addPolicies(objects, workloads, edges);
  return { nodes: [...nodes.values()], edges: dedupe(edges) };
}

/** A pod's IP and whether it is Ready (its Ready condition), for the live view. */
function podDetail(pod: Pod): string {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return `${pod.status?.podIP ?? 'no IP'}${ready ? '' : ' (not ready)'}`;
}

/** The Deployment (through its ReplicaSet's name) or StatefulSet drawn for an owned pod. */
function workloadOf(
  pod: Pod,
  ref: (kind: string, namespace: string | undefined, name: string) => GraphNode | undefined,
): GraphNode | undefined {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  if (!owner) return undefined;
  const namespace = pod.metadata.namespace;
  if (owner.kind === 'StatefulSet') return ref('StatefulSet', namespace, owner.name);
  // A ReplicaSet is named <deployment>-<pod-template-hash> (pkg/controller/deployment/sync.go).
  if (owner.kind === 'ReplicaSet') return ref('Deployment', namespace, owner.name.replace(/-[^-]+$/, ''));
  return undefined;
}

function addStorage(
  objects: readonly KubernetesObject[],
  workloads: Workload[],
  live: boolean,
  add: (o: KubernetesObject) => GraphNode,
  ref: (kind: string, namespace: string | undefined, name: string) => GraphNode | undefined,
  edges: GraphEdge[],
): void {
  for (const sc of ofKind(objects, 'StorageClass')) add(sc);
  const claims = ofKind(objects, 'PersistentVolumeClaim');
  for (const claim of claims) {
    const node = add(claim);
    const sc = claim.spec.storageClassName && ref('StorageClass', undefined, claim.spec.storageClassName);
    if (sc) edges.push({ from: node.id, to: sc.id, style: 'storage' });
  }
  for (const w of workloads) {
    for (const volume of w.template.spec.volumes ?? []) {
      const claim =
        volume.persistentVolumeClaim && ref('PersistentVolumeClaim', w.namespace, volume.persistentVolumeClaim.claimName);
      if (claim) edges.push({ from: w.node.id, to: claim.id, style: 'storage', label: volume.name });
    }
  }
  // A running lab has the per-pod claims themselves, linked from their pods above.
  if (live) return;
  for (const sts of ofKind(objects, 'StatefulSet')) {
    const owner = ref('StatefulSet', sts.metadata.namespace, sts.metadata.name)!;
    for (const template of sts.spec.volumeClaimTemplates ?? []) {
      // Per-pod claims are named <template>-<statefulset>-<ordinal>; the diagram shows the template.
      const node = add({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: `${template.metadata.name}-${sts.metadata.name}-*`, namespace: sts.metadata.namespace },
      });
      edges.push({ from: owner.id, to: node.id, style: 'storage', label: template.metadata.name });
      const sc = template.spec.storageClassName && ref('StorageClass', undefined, template.spec.storageClassName);
      if (sc) edges.push({ from: node.id, to: sc.id, style: 'storage' });
    }
  }
}

function addPolicies(objects: readonly KubernetesObject[], workloads: Workload[], edges: GraphEdge[]): void {
  for (const policy of ofKind(objects, 'NetworkPolicy') as NetworkPolicy[]) {
    const targets = workloads.filter(
      (w) => w.namespace === policy.metadata.namespace && labelSelector(policy.spec.podSelector).matches(w.labels),
    );
    for (const rule of policy.spec.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        if (!peer.podSelector || peer.namespaceSelector || peer.ipBlock) continue;
        const sources = workloads.filter(
          (w) => w.namespace === policy.metadata.namespace && labelSelector(peer.podSelector).matches(w.labels),
        );
        for (const source of sources) {
          for (const target of targets)
            edges.push({ from: source.node.id, to: target.node.id, style: 'policy', label: policy.metadata.name });
        }
      }
    }
  }
}

function dedupe(edges: GraphEdge[]): GraphEdge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const key = `${e.from}>${e.to}>${e.style}>${e.label ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
