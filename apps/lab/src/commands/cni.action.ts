import { nodeNetworkState, renderBridgeFdb, renderIpNeigh, renderIpRoute, renderVxlanDevices } from '@kemu/cni';
import { type OutputFormat, printData } from '../cli/output.js';
import { loadClusterModel } from './cni-model.js';

/** Prints one node's overlay state. */
export async function runCniRoutes(options: { node: string; filename: string[]; output: string }): Promise<void> {
  const model = await loadClusterModel(options.filename);
  const state = nodeNetworkState(model.overlay, options.node);
  const data = {
    node: state.node,
    lease: {
      subnets: state.lease.subnets.map(String),
      publicIP: state.lease.publicIP,
      vtepMac: state.lease.vtepMac,
      vni: state.lease.vni,
    },
    devices: state.devices,
    routes: renderIpRoute(state),
    neighbours: renderIpNeigh(state),
    fdb: renderBridgeFdb(state),
  };
  await printData(options.output as OutputFormat, data, () =>
    [
      '# ip -d link show',
      ...renderVxlanDevices(state),
      '# ip route',
      ...renderIpRoute(state),
      '# ip neigh',
      ...renderIpNeigh(state),
      '# bridge fdb',
      ...renderBridgeFdb(state),
    ].join('\n'),
  );
}
