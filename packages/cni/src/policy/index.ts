export { type CompiledPolicy, compilePolicy } from './compile.js';
export { compileNetworkPolicies, type PolicyEndpoint, PolicyEngine, type PolicyInputs } from './engine.js';
export type { DirectionVerdict, Flow, PolicyNamespace, PolicyPod, PolicyVerdict, RuleMatch } from './types.js';
