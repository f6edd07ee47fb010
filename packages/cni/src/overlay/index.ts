export {
  buildOverlay,
  leaseOf,
  type NodeNetworkState,
  nodeForAddress,
  nodeNetworkState,
  type Overlay,
  type OverlayFdb,
  type OverlayNeighbour,
  type OverlayNode,
  type OverlayOptions,
  type OverlayRoute,
  type SubnetLease,
} from './overlay.js';
export { renderBridgeFdb, renderIpNeigh, renderIpRoute, renderVxlanDevices } from './render.js';
export { formatMac, parseMac, vtepMac, vtepMacPrefix } from './vtep.js';
