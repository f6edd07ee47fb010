export { parseManifests, findDuplicates, type ManifestLoadResult, type ManifestSource, type ParseManifestOptions } from './parse.js';
export { type ManifestIssue, formatIssue, ManifestError } from './issue.js';
export { applyDefaults } from './defaults.js';
export { formatPath, type FieldPath } from './path.js';
export { defaultNodePortRange } from './rules/services.js';
