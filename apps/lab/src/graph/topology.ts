import { type KubernetesObject, type Node, ofKind, type Pod } from '@kemu/core';
import { controllerOf, isPodReady, isTerminating } from '../lab/pods.js';
import { addServiceBackends } from './backends.js';
import { Boxes, idOf, type Selectable } from './boxes.js';
import { addPolicies } from './policies.js';
import { addRoutes } from './routes.js';
import { addStorage } from './storage.js';

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

/**
 * An arrow: traffic (solid), traffic an endpoint does not take because it is not ready or is
 * terminating (crossed, dotted), storage (thick) or a NetworkPolicy allowance (dotted).
 */
export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  style: 'traffic' | 'unready' | 'storage' | 'policy';
}

/** A Kubernetes Node of a running lab, drawn as a group around the pods scheduled on it. */
export interface ClusterNode {
  /** The group's id, which edges may name (a VolumeAttachment's arrow starts there). */
  id: string;
  name: string;
  /** spec.podCIDRs (or podCIDR): the range its pods' IPs come from. */
  podCIDR?: string;
}

/** A node's group title, as the cluster networking pages label a node: its name and pod range. */
export function clusterNodeTitle(node: ClusterNode): string {
  return `node ${node.name}${node.podCIDR ? ` · podCIDR ${node.podCIDR}` : ''}`;
}

/** The lab's shape: what routes to what, what mounts what, and which policies allow which traffic. */
export interface Topology {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The Nodes holding drawn pods, sorted by name; empty for manifests, which keep the workload-level view. */
  clusterNodes: ClusterNode[];
}

/**
 * Builds the lab diagram from objects, as the Kubernetes concept pages draw a cluster ("Services,
 * Load Balancing, and Networking", "Service", "Ingress", "Cluster Networking"). From manifests:
 * Ingresses and HTTPRoutes to Services, Services to the workloads they select, workloads to their
 * claims and storage classes, NetworkPolicy allowances between workloads. For a running lab (pods a
 * controller made, bound to nodes): each Node is a group holding its pods with their IPs and
 * readiness, each Service points at the pods of its endpoints, each pod at its own claim, the claim
 * at its PersistentVolume, and a VolumeAttachment ties the PV to its node.
 */
export function buildTopology(objects: readonly KubernetesObject[]): Topology {
  const boxes = new Boxes();
  const edges: GraphEdge[] = [];
  const allPods = ofKind(objects, 'Pod');
  // Only a running lab has pods that a controller made and the scheduler bound; a manifest may bind
  // a standalone pod by hand (spec.nodeName) and still be drawn from its workloads.
  const live = allPods.some((pod) => pod.spec.nodeName && controllerOf(pod));
  // What policies select: workloads, and pods no controller owns (standalone).
  const workloads: Selectable[] = [];
  for (const w of [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'StatefulSet')]) {
    const labels = w.spec.template.metadata?.labels ?? {};
    workloads.push({ node: boxes.add(w), namespace: w.metadata.namespace!, labels, template: w.spec.template });
  }
  // Pods drawn: in a running lab every one; from manifests the standalone ones (workloads stand for the rest).
  const pods: Selectable[] = [];
  for (const pod of allPods) {
    const owned = controllerOf(pod) !== undefined;
    if (!live && owned) continue;
    const node = boxes.add(pod, pod.spec.nodeName);
    if (live) node.detail = podDetail(pod);
    const drawn = { node, namespace: pod.metadata.namespace!, labels: pod.metadata.labels ?? {}, template: { spec: pod.spec } };
    pods.push(drawn);
    if (!owned) workloads.push(drawn);
  }
  addServiceBackends(objects, live ? pods : workloads, live, boxes, edges);
  addRoutes(objects, boxes, edges);
  addStorage(objects, live ? pods : workloads, boxes, edges);
  // Policies stay between workloads even in a running lab: per pod, three replicas allowed to reach
  // two would draw six arrows saying one thing. Pods no controller owns are their own workload.
  addPolicies(objects, workloads, edges);

  let nodes = boxes.all();
  const clusterNodes = live ? clusterNodesOf(objects, nodes) : [];
  if (live) {
    // In a running lab the pods, grouped by node and named after their workload, stand for it; a
    // workload box stays only where a policy arrow starts or ends (the shop: web → api → db), so the
    // picture does not repeat every pod with a line to its owner.
    const linked = new Set(edges.flatMap((e) => [e.from, e.to]));
    nodes = nodes.filter((n) => (n.kind !== 'Deployment' && n.kind !== 'StatefulSet') || linked.has(n.id));
  }
  const drawn = new Map<string, number>([
    ...nodes.map((n) => [n.id, n.layer] as const),
    ...clusterNodes.map((c) => [c.id, 4] as const),
  ]);
  return { nodes, edges: sortEdges(dedupe(edges.filter((e) => drawn.has(e.from) && drawn.has(e.to))), drawn), clusterNodes };
}

/** A pod's IP and why it takes no traffic, if it does not: its Ready condition, or its deletion. */
function podDetail(pod: Pod): string {
  const state = isTerminating(pod) ? ' (terminating)' : isPodReady(pod) ? '' : ' (not ready)';
  return `${pod.status?.podIP ?? 'no IP'}${state}`;
}

/** The Nodes the drawn pods are bound to, with their pod CIDRs when the Node objects are there. */
function clusterNodesOf(objects: readonly KubernetesObject[], boxes: readonly { nodeName?: string }[]): ClusterNode[] {
  const known = new Map(ofKind(objects, 'Node').map((n): [string, Node] => [n.metadata.name, n]));
  const names = [...new Set(boxes.flatMap((b) => (b.nodeName ? [b.nodeName] : [])))].sort();
  return names.map((name) => {
    const spec = known.get(name)?.spec;
    const podCIDR = spec?.podCIDRs?.join(', ') || spec?.podCIDR;
    return { id: idOf('Node', undefined, name), name, ...(podCIDR ? { podCIDR } : {}) };
  });
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

/** Edges in the order the traffic flows (by the column they start from), then by ids: the same objects always print the same text. */
function sortEdges(edges: GraphEdge[], layerOf: ReadonlyMap<string, number>): GraphEdge[] {
  const key = (e: GraphEdge) => [layerOf.get(e.from) ?? 0, e.from, e.to, e.style, e.label ?? ''] as const;
  return edges.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  });
}
