export { buildClusterModel, type ClusterInputs, type ClusterModel, findPod, type PlacedPod } from './cluster.js';
export { type PacketTrace, type TraceHop, tracePacket } from './trace.js';
