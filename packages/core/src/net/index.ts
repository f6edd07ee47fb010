export { IP, type IPFamily, familyBits, parseIP, tryParseIP, isIP, ipFamilyOf, canonicalIP, compareIPs, ipFromBytes } from './ip.js';
export { CIDR, type ParseCIDROptions, parseCIDR, tryParseCIDR, isCIDR, hostCIDR } from './cidr.js';
