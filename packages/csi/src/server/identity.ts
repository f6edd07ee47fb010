import { rpcError } from '../errors.js';
import type { DriverContext } from './context.js';

/** GetPluginInfo: a domain-style name (csi-sanity wants it to start and end with a letter). */
export function getPluginInfo(ctx: DriverContext) {
  return { name: ctx.driverName, vendor_version: ctx.vendorVersion, manifest: { url: 'https://github.com/kemu-dev/kemu' } };
}

/**
 * GetPluginCapabilities: the same set from every instance of one version, whatever it serves
 * (spec §GetPluginCapabilities), so node-only instances report CONTROLLER_SERVICE too.
 */
export function getPluginCapabilities() {
  return {
    capabilities: [
      { service: { type: 'CONTROLLER_SERVICE' } },
      { service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' } },
      { volume_expansion: { type: 'ONLINE' } },
    ],
  };
}

/** Probe: ready while the state dir is there; FAILED_PRECONDITION when it vanished (spec §Probe). */
export async function probe(ctx: DriverContext) {
  if (!(await ctx.storage.exists(ctx.storage.root)))
    throw rpcError.failedPrecondition(`state dir ${ctx.storage.root} is missing`);
  return { ready: { value: true } };
}

/** NodeGetInfo: node id, attach limit and topology (spec §NodeGetInfo). */
export function nodeGetInfo(ctx: DriverContext) {
  return {
    node_id: ctx.requireNode(),
    max_volumes_per_node: String(ctx.maxVolumesPerNode),
    accessible_topology: { segments: { ...ctx.nodeTopology } },
  };
}
