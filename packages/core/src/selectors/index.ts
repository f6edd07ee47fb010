export { Selector, parseSelector, labelSelector, mapSelector } from './label-selector.js';
export { type Requirement, type SelectorOperator, type Labels, requirementMatches, formatRequirement } from './requirement.js';
