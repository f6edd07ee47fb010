export { labelSelector, mapSelector, parseSelector, Selector } from './label-selector.js';
export { formatRequirement, type Labels, type Requirement, requirementMatches, type SelectorOperator } from './requirement.js';
