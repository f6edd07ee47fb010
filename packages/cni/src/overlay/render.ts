// Renders a node's overlay state the way iproute2 prints it (`ip route`, `ip neigh`, `bridge fdb`).
import type { NodeNetworkState } from './overlay.js';

/** `ip route` lines (IPv4 then IPv6 as `ip -6 route` would list them). */
export function renderIpRoute(state: NodeNetworkState): string[] {
  return state.routes.map((r) =>
    r.via
      ? `${r.dst} via ${r.via} dev ${r.dev}${r.onlink ? ' onlink' : ''}`
      : `${r.dst} dev ${r.dev} proto kernel scope link src ${r.src}`,
  );
}

/** `ip neigh` lines for the permanent VTEP entries. */
export function renderIpNeigh(state: NodeNetworkState): string[] {
  return state.neighbours.map((n) => `${n.ip} dev ${n.dev} lladdr ${n.lladdr} PERMANENT`);
}

/** `bridge fdb` lines for the remote VTEPs. */
export function renderBridgeFdb(state: NodeNetworkState): string[] {
  return state.fdb.map((f) => `${f.mac} dev ${f.dev} dst ${f.dst} self permanent`);
}

/** The device as `ip -d link show` summarises it. */
export function renderVxlanDevices(state: NodeNetworkState): string[] {
  return state.devices.map(
    (d) =>
      `${d.name}: mtu ${d.mtu} vxlan id ${d.vni} local ${d.local} dev lo srcport 0 0 dstport ${d.port} nolearning addr ${d.address}`,
  );
}
