export { CIDR, hostCIDR, isCIDR, type ParseCIDROptions, parseCIDR, tryParseCIDR } from './cidr.js';
export {
  canonicalIP,
  compareIPs,
  familyBits,
  IP,
  type IPFamily,
  ipFamilyOf,
  ipFromBytes,
  isIP,
  parseIP,
  tryParseIP,
} from './ip.js';
