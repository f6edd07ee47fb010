export {
  ethernetHeaderLength,
  etherTypeIPv4,
  etherTypeIPv6,
  ipProtocol,
  vxlanHeaderLength,
  vxlanIanaPort,
  vxlanLinuxPort,
  vxlanOverheadIPv4,
  vxlanOverheadIPv6,
} from './constants.js';
export { decodeVxlan } from './decode.js';
export { type EncodeOptions, encodeVxlan } from './encode.js';
export { encapsulateIPv4, flowSourcePort, type OuterIPv4 } from './outer.js';
export type { DecodeFailureReason, DecodeResult, EncodeResult, InnerPacket, Transport, VxlanFrame } from './types.js';
