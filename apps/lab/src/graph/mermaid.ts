import { clusterNodeTitle, type GraphEdge, type GraphNode, type Topology } from './topology.js';

// Mermaid flowchart shapes per kind, as Kubernetes diagrams usually draw them.
const shapes: Record<string, [string, string]> = {
  Ingress: ['[/', '/]'],
  Gateway: ['[/', '/]'],
  HTTPRoute: ['[', ']'],
  Service: ['([', '])'],
  Deployment: ['[[', ']]'],
  StatefulSet: ['[[', ']]'],
  Pod: ['(', ')'],
  PersistentVolumeClaim: ['[(', ')]'],
  PersistentVolume: ['[(', ')]'],
  StorageClass: ['[(', ')]'],
};

// Link syntax per edge style (Mermaid flowchart "Links between nodes"): a not-ready endpoint is
// dotted like a policy but ends in a cross, and its label says why.
const arrows: Record<GraphEdge['style'], string> = { traffic: '-->', unready: '-.-x', storage: '==>', policy: '-.->' };

// Labels are always quoted, so parentheses, slashes and arrows in them are text; a quote is the
// one character that needs Mermaid's entity code.
const escapeLabel = (text: string) => text.replace(/"/g, '#quot;');

/** A box; in a node's group a pod's name carries its namespace, since a node runs pods of any namespace. */
function box(node: GraphNode, withNamespace = false): string {
  const [open, close] = shapes[node.kind] ?? ['[', ']'];
  const name = withNamespace && node.namespace ? `${node.namespace}/${node.name}` : node.name;
  const detail = node.detail ? `<br/>${escapeLabel(node.detail)}` : '';
  return `${node.id}${open}"${escapeLabel(`${node.kind} ${name}`)}${detail}"${close}`;
}

const sortKey = (n: GraphNode) => `${n.namespace ?? ''}/${n.name}`;
const byLayerThenName = (a: GraphNode, b: GraphNode) => a.layer - b.layer || sortKey(a).localeCompare(sortKey(b));

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The topology as a Mermaid flowchart: a subgraph per namespace (and "cluster" for cluster-scoped
 * objects); in a running lab a subgraph per Node, at the top level, holding its pods. From
 * manifests, a pod bound to a node by hand stays in its namespace, in a subgraph for the node.
 * Solid arrows for traffic, thick for storage, dotted for NetworkPolicy allowances, dotted and
 * crossed for endpoints that take no traffic.
 */
export function toMermaid(topology: Topology): string {
  const lines = ['flowchart LR'];
  const live = topology.clusterNodes.length > 0;
  const sorted = [...topology.nodes].sort(byLayerThenName);
  const inNamespaces = live ? sorted.filter((n) => !n.nodeName) : sorted;
  // Positional ids (g0, g1, …) for namespaces: unique, and nothing links to them.
  let g = 0;
  for (const [group, members] of groupBy(inNamespaces, (n) => (n.namespace ? `namespace ${n.namespace}` : 'cluster'))) {
    lines.push(`  subgraph g${g++}["${escapeLabel(group)}"]`);
    for (const node of members) if (!node.nodeName) lines.push(`    ${box(node)}`);
    for (const [nodeName, pods] of groupBy(
      members.filter((n) => n.nodeName),
      (n) => n.nodeName!,
    )) {
      lines.push(`    subgraph g${g++}["node ${escapeLabel(nodeName)}"]`);
      for (const pod of pods) lines.push(`      ${box(pod)}`);
      lines.push('    end');
    }
    lines.push('  end');
  }
  // A Node's group has the Node's id (Node__kemu_worker), unique beside the boxes' Kind_namespace_name
  // ids and the g<n> groups, because a VolumeAttachment's arrow starts at it.
  for (const clusterNode of topology.clusterNodes) {
    lines.push(`  subgraph ${clusterNode.id}["${escapeLabel(clusterNodeTitle(clusterNode))}"]`);
    for (const pod of sorted) if (pod.nodeName === clusterNode.name) lines.push(`    ${box(pod, true)}`);
    lines.push('  end');
  }
  for (const edge of topology.edges) {
    const label = edge.label ? `|"${escapeLabel(edge.label)}"|` : '';
    lines.push(`  ${edge.from} ${arrows[edge.style]}${label} ${edge.to}`);
  }
  return `${lines.join('\n')}\n`;
}
