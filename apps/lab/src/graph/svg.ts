import type { GraphNode, Topology } from './topology.js';

// A layered left-to-right drawing: one column per layer (entry points → services → workloads →
// claims → storage classes), boxes in name order. Plain SVG, so it needs no browser to render.

const boxWidth = 250;
const boxHeight = 46;
const columnGap = 110;
const rowGap = 26;
const margin = 30;
const nodeHeader = 24;

const fills: Record<string, string> = {
  Ingress: '#fde68a',
  Gateway: '#fde68a',
  HTTPRoute: '#fef3c7',
  Service: '#bfdbfe',
  Deployment: '#bbf7d0',
  StatefulSet: '#bbf7d0',
  Pod: '#dcfce7',
  PersistentVolumeClaim: '#e9d5ff',
  StorageClass: '#f3e8ff',
};

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The topology as a standalone SVG document. */
export function toSvg(topology: Topology): string {
  const columns = new Map<number, GraphNode[]>();
  for (const node of topology.nodes) columns.set(node.layer, [...(columns.get(node.layer) ?? []), node]);
  const usedLayers = [...columns.keys()].sort((a, b) => a - b);
  const position = new Map<string, { x: number; y: number }>();
  let bottom = 0;
  usedLayers.forEach((layer, column) => {
    // Pods sort by node first, so each node's pods stand together inside the node's box.
    const members = columns
      .get(layer)!
      .sort(
        (a, b) =>
          (a.nodeName ?? '').localeCompare(b.nodeName ?? '') ||
          `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
      );
    let y = margin;
    members.forEach((node, row) => {
      // Room for a node box's border and title where a new node's pods begin.
      if (node.nodeName && node.nodeName !== members[row - 1]?.nodeName) y += nodeHeader;
      position.set(node.id, { x: margin + column * (boxWidth + columnGap), y });
      y += boxHeight + rowGap;
    });
    bottom = Math.max(bottom, y - rowGap);
  });
  const width = margin * 2 + Math.max(1, usedLayers.length) * (boxWidth + columnGap) - columnGap;
  const height = Math.max(bottom, margin + boxHeight) + margin;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#475569"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const group of nodeGroups(topology.nodes, position)) {
    out.push(
      `<rect x="${group.x - 8}" y="${group.y - 20}" width="${boxWidth + 16}" height="${group.height + 28}" rx="10" fill="#f8fafc" stroke="#94a3b8" stroke-dasharray="4,3"/>`,
      `<text x="${group.x - 2}" y="${group.y - 6}" fill="#475569" font-size="11">node ${xml(group.nodeName)}</text>`,
    );
  }
  for (const edge of topology.edges) {
    const a = position.get(edge.from);
    const b = position.get(edge.to);
    if (!a || !b) continue;
    const dash = edge.style === 'policy' ? ' stroke-dasharray="5,4"' : '';
    const marker = edge.style === 'owner' ? '' : ' marker-end="url(#arrow)"';
    const strokeWidth = edge.style === 'storage' ? 2.5 : 1.3;
    const color = edge.style === 'policy' ? '#dc2626' : '#475569';
    let path: string;
    let labelAt: { x: number; y: number };
    if (a.x === b.x) {
      // Same column (a policy between two workloads): bow out to the right.
      const x = a.x + boxWidth;
      const bow = x + 30 + Math.abs(a.y - b.y) / 3;
      path = `M${x},${a.y + boxHeight / 2} C${bow},${a.y + boxHeight / 2} ${bow},${b.y + boxHeight / 2} ${x},${b.y + boxHeight / 2}`;
      labelAt = { x: bow + 4, y: (a.y + b.y) / 2 + boxHeight / 2 + 4 };
    } else {
      const x1 = a.x + boxWidth;
      const y1 = a.y + boxHeight / 2;
      const x2 = b.x;
      const y2 = b.y + boxHeight / 2;
      path = `M${x1},${y1} C${x1 + columnGap / 2},${y1} ${x2 - columnGap / 2},${y2} ${x2},${y2}`;
      labelAt = { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4 };
    }
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="${strokeWidth}"${dash}${marker}/>`);
    if (edge.label)
      out.push(
        `<text x="${labelAt.x}" y="${labelAt.y}" text-anchor="middle" fill="${color}" font-size="10">${xml(edge.label)}</text>`,
      );
  }
  for (const node of topology.nodes) {
    const { x, y } = position.get(node.id)!;
    out.push(`<g id="${xml(node.id)}">`);
    out.push(
      `<rect x="${x}" y="${y}" width="${boxWidth}" height="${boxHeight}" rx="8" fill="${fills[node.kind] ?? '#e2e8f0'}" stroke="#334155"/>`,
    );
    out.push(`<text x="${x + 10}" y="${y + 18}" font-weight="bold">${xml(node.kind)}</text>`);
    const where = node.namespace ? `${node.namespace}/` : '';
    out.push(`<text x="${x + 10}" y="${y + 35}">${xml(`${where}${node.name}${node.detail ? ` ${node.detail}` : ''}`)}</text>`);
    out.push('</g>');
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** One box per Kubernetes node around the pods that run on it (they stand together in their column). */
function nodeGroups(
  nodes: readonly GraphNode[],
  position: ReadonlyMap<string, { x: number; y: number }>,
): { nodeName: string; x: number; y: number; height: number }[] {
  const groups = new Map<string, { nodeName: string; x: number; y: number; height: number }>();
  for (const node of nodes) {
    const at = node.nodeName ? position.get(node.id) : undefined;
    if (!node.nodeName || !at) continue;
    const group = groups.get(node.nodeName);
    if (!group) groups.set(node.nodeName, { nodeName: node.nodeName, x: at.x, y: at.y, height: boxHeight });
    else {
      const bottom = Math.max(group.y + group.height, at.y + boxHeight);
      group.y = Math.min(group.y, at.y);
      group.height = bottom - group.y;
    }
  }
  return [...groups.values()].sort((a, b) => a.nodeName.localeCompare(b.nodeName));
}
