// A node of a lab in its own process (`kemu agent`).
export { agentNode, type NodeRuntime, type NodeRuntimeOptions, startNodeRuntime } from './node-runtime.js';
