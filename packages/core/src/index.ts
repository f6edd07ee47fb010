// @kemu/core — the pure foundation every emulator shares. Nothing here opens a socket or a file:
// file loading is in `@kemu/core/node`, the Redis store in `@kemu/core/redis`.

// Errors
export {
  type CoreErrorCode,
  coreErrorCodes,
  InvalidCidrError,
  InvalidIpError,
  InvalidSelectorError,
  isKemuError,
  KemuError,
} from './errors/index.js';
// Manifests
export {
  applyDefaults,
  defaultNodePortRange,
  type FieldPath,
  findDuplicates,
  formatIssue,
  formatPath,
  ManifestError,
  type ManifestIssue,
  type ManifestLoadResult,
  type ManifestSource,
  type ParseManifestOptions,
  parseManifests,
} from './manifests/index.js';
export { parseManifestsOrThrow } from './manifests/or-throw.js';
// IP and CIDR math
export {
  CIDR,
  canonicalIP,
  compareIPs,
  familyBits,
  hostCIDR,
  IP,
  type IPFamily,
  ipFamilyOf,
  ipFromBytes,
  isCIDR,
  isIP,
  type ParseCIDROptions,
  parseCIDR,
  parseIP,
  tryParseCIDR,
  tryParseIP,
} from './net/index.js';
// Objects
export * from './objects/index.js';
// Quantities
export { formatBinaryQuantity, isQuantity, parseQuantity } from './quantity/index.js';
// Label selectors
export {
  type Labels,
  labelSelector,
  mapSelector,
  parseSelector,
  type Requirement,
  Selector,
  type SelectorOperator,
} from './selectors/index.js';
// Store
export * from './store/index.js';
// Name validation
export {
  checkDNS1035Label,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkLabelValue,
  checkPortName,
  checkPortNumber,
  checkQualifiedName,
} from './validation/index.js';
