export {
  type Attachment,
  allocateAddresses,
  checkAddresses,
  collectGarbage,
  type IpAllocation,
  releaseAddresses,
} from './allocator.js';
export type { IpamBackend } from './backend.js';
export { ClaimIpamBackend, type ClaimStore, holderOf, ipamKeyPrefix } from './claim-backend.js';
export {
  defaultDataDir,
  type IpamConfig,
  type IpamConfigInput,
  type IpamConfigJSON,
  parseIpamConfig,
  type RangeJSON,
  type RouteJSON,
  versionAtLeast,
} from './config.js';
export { type Candidate, RangeIterator } from './iterator.js';
export { assignPodCIDRs, defaultNodeMaskSize, type PodCidrOptions } from './pod-cidrs.js';
export { formatRangeSet, type IpamRange, type RangeSet, rangeContains, rangeFor } from './range.js';
