export { applyDefaults } from './defaults.js';
export { formatIssue, ManifestError, type ManifestIssue } from './issue.js';
export {
  findDuplicates,
  type ManifestLoadResult,
  type ManifestSource,
  type ParseManifestOptions,
  parseManifests,
} from './parse.js';
export { type FieldPath, formatPath } from './path.js';
export { defaultNodePortRange } from './rules/services.js';
