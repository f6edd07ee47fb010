import { idOf } from './boxes.js';
import { clusterNodeTitle, type GraphEdge, type GraphNode, type Topology } from './topology.js';

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
  PersistentVolume: '#e9d5ff',
  StorageClass: '#f3e8ff',
};

// How each edge style is stroked: the same meanings as the Mermaid arrows.
const strokes: Record<GraphEdge['style'], { dash?: string; color: string; width: number }> = {
  traffic: { color: '#475569', width: 1.3 },
  unready: { dash: '2,3', color: '#94a3b8', width: 1.3 },
  storage: { color: '#475569', width: 2.5 },
  policy: { dash: '5,4', color: '#dc2626', width: 1.3 },
};

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

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
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#475569"/></marker>' +
      '<marker id="cross" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8"><path d="M1,1 L9,9 M1,9 L9,1" stroke="#94a3b8" stroke-width="2"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  const titles = new Map(topology.clusterNodes.map((c) => [c.name, clusterNodeTitle(c)]));
  // Where edges start and end: the boxes, and the node groups (a VolumeAttachment's arrow starts at one).
  const rects = new Map<string, Rect>([...position].map(([id, at]) => [id, { ...at, width: boxWidth, height: boxHeight }]));
  for (const group of nodeGroups(topology.nodes, position)) {
    const rect = { x: group.x - 8, y: group.y - 20, width: boxWidth + 16, height: group.height + 28 };
    rects.set(idOf('Node', undefined, group.nodeName), rect);
    out.push(
      `<rect x="${rect.x}" y="${rect.y}" width="${rect.width}" height="${rect.height}" rx="10" fill="#f8fafc" stroke="#94a3b8" stroke-dasharray="4,3"/>`,
      `<text x="${group.x - 2}" y="${group.y - 6}" fill="#475569" font-size="11">${xml(titles.get(group.nodeName) ?? `node ${group.nodeName}`)}</text>`,
    );
  }
  for (const edge of topology.edges) {
    const a = rects.get(edge.from);
    const b = rects.get(edge.to);
    if (!a || !b) continue;
    const { dash, color, width: strokeWidth } = strokes[edge.style];
    const marker = edge.style === 'unready' ? ' marker-end="url(#cross)"' : ' marker-end="url(#arrow)"';
    let path: string;
    let labelAt: { x: number; y: number };
    if (a.x === b.x) {
      // Same column (a policy between two workloads): bow out to the right.
      const x = a.x + a.width;
      const bow = x + 30 + Math.abs(a.y - b.y) / 3;
      path = `M${x},${a.y + a.height / 2} C${bow},${a.y + a.height / 2} ${bow},${b.y + b.height / 2} ${x},${b.y + b.height / 2}`;
      labelAt = { x: bow + 4, y: (a.y + b.y) / 2 + boxHeight / 2 + 4 };
    } else {
      const x1 = a.x + a.width;
      const y1 = a.y + a.height / 2;
      const x2 = b.x;
      const y2 = b.y + b.height / 2;
      path = `M${x1},${y1} C${x1 + columnGap / 2},${y1} ${x2 - columnGap / 2},${y2} ${x2},${y2}`;
      labelAt = { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4 };
    }
    const dashes = dash ? ` stroke-dasharray="${dash}"` : '';
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="${strokeWidth}"${dashes}${marker}/>`);
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
    // The detail (a pod's IP and readiness) beside the kind: the name line is full with a pod's name.
    if (node.detail)
      out.push(`<text x="${x + boxWidth - 10}" y="${y + 18}" text-anchor="end" fill="#334155">${xml(node.detail)}</text>`);
    const where = node.namespace ? `${node.namespace}/` : '';
    out.push(`<text x="${x + 10}" y="${y + 35}">${xml(`${where}${node.name}`)}</text>`);
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
