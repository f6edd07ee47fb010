// @kemu/core — the pure foundation every emulator shares. Nothing here opens a socket or a file:
// file loading is in `@kemu/core/node`, the Redis store in `@kemu/core/redis`.

// Errors
export { KemuError, isKemuError, coreErrorCodes, type CoreErrorCode, InvalidIpError, InvalidCidrError, InvalidSelectorError } from './errors/index.js';

// Objects
export * from './objects/index.js';

// Manifests
export {
  parseManifests,
  findDuplicates,
  type ManifestLoadResult,
  type ManifestSource,
  type ParseManifestOptions,
  type ManifestIssue,
  formatIssue,
  ManifestError,
  applyDefaults,
  formatPath,
  type FieldPath,
  defaultNodePortRange,
} from './manifests/index.js';
export { parseManifestsOrThrow } from './manifests/or-throw.js';

// Label selectors
export { Selector, parseSelector, labelSelector, mapSelector, type Requirement, type SelectorOperator, type Labels } from './selectors/index.js';

// IP and CIDR math
export { IP, type IPFamily, familyBits, parseIP, tryParseIP, isIP, ipFamilyOf, canonicalIP, compareIPs, ipFromBytes, CIDR, type ParseCIDROptions, parseCIDR, tryParseCIDR, isCIDR, hostCIDR } from './net/index.js';

// Quantities
export { parseQuantity, isQuantity, formatBinaryQuantity } from './quantity/index.js';

// Name validation
export {
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkDNS1035Label,
  checkQualifiedName,
  checkLabelValue,
  checkPortName,
  checkPortNumber,
} from './validation/index.js';

// Store
export * from './store/index.js';
