export { toMermaid } from './mermaid.js';
export { toSvg } from './svg.js';
export { buildTopology, type ClusterNode, type GraphEdge, type GraphNode, type Topology } from './topology.js';
