import type { GraphNode, Topology } from './topology.js';

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
  StorageClass: ['[(', ')]'],
};

const escapeLabel = (text: string) => text.replace(/"/g, '#quot;');

function box(node: GraphNode): string {
  const [open, close] = shapes[node.kind] ?? ['[', ']'];
  const detail = node.detail ? `<br/>${escapeLabel(node.detail)}` : '';
  return `${node.id}${open}"${escapeLabel(`${node.kind} ${node.name}`)}${detail}"${close}`;
}

/**
 * The topology as a Mermaid flowchart: one subgraph per namespace (and per node for pods that run
 * on one), solid arrows for traffic, thick for storage, dotted for NetworkPolicy allowances, a
 * plain line from a workload to its pods.
 */
export function toMermaid(topology: Topology): string {
  const lines = ['flowchart LR'];
  const groups = new Map<string, GraphNode[]>();
  for (const node of topology.nodes) {
    const group = node.namespace ? `namespace ${node.namespace}` : 'cluster';
    groups.set(group, [...(groups.get(group) ?? []), node]);
  }
  let g = 0;
  for (const [group, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  subgraph g${g++}["${escapeLabel(group)}"]`);
    const byNode = new Map<string, GraphNode[]>();
    for (const node of members.sort((a, b) => a.layer - b.layer || a.name.localeCompare(b.name))) {
      if (node.nodeName) byNode.set(node.nodeName, [...(byNode.get(node.nodeName) ?? []), node]);
      else lines.push(`    ${box(node)}`);
    }
    for (const [nodeName, pods] of [...byNode].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`    subgraph g${g++}["node ${escapeLabel(nodeName)}"]`);
      for (const pod of pods) lines.push(`      ${box(pod)}`);
      lines.push('    end');
    }
    lines.push('  end');
  }
  for (const edge of topology.edges) {
    const label = edge.label ? `|"${escapeLabel(edge.label)}"|` : '';
    const arrow = { policy: '-.->', storage: '==>', owner: '---', traffic: '-->' }[edge.style];
    lines.push(`  ${edge.from} ${arrow}${label} ${edge.to}`);
  }
  return `${lines.join('\n')}\n`;
}
