export { toMermaid } from './mermaid.js';
export { toSvg } from './svg.js';
export { buildTopology, type GraphEdge, type GraphNode, type Topology } from './topology.js';
