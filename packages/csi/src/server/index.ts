// @kemu/csi/server — the data plane: a CSI v1.12.0 plugin on a unix socket, backed by directories.

export { type CsiCallError, CsiClient, type CsiServiceName } from './client.js';
export { type CsiDriverOptions, defaultDriverName, nodeTopologyKey } from './context.js';
export { publishContextKeys } from './controller-publish.js';
export { CsiDriver, type CsiDriverConfig } from './driver.js';
export { parseEndpoint } from './endpoint.js';
export { type ServedCsiDriver, serveCsiDriver } from './grpc-server.js';
export { readStateFile, stateFileName } from './persist.js';
export type { NodeMount, NodeRecord, NodeUse, PublishedNode, SnapshotRecord, VolumeRecord } from './records.js';
export { driverLabel } from './records.js';
export { kemuProtoPath, loadCsiServices, protoLoaderOptions } from './schema.js';

import type { Store } from '@kemu/core';
import { CsiDriver, type CsiDriverConfig } from './driver.js';
import { type ServedCsiDriver, serveCsiDriver } from './grpc-server.js';

/**
 * Starts a driver on `endpoint` in one call.
 * @example
 * const served = await startCsiDriver({ endpoint: 'unix:///tmp/csi.sock', nodeId: 'node-1', stateDir: '/tmp/csi', store });
 * await served.close();
 */
export async function startCsiDriver(options: CsiDriverConfig & { endpoint: string; store: Store }): Promise<ServedCsiDriver> {
  const { endpoint, ...config } = options;
  return serveCsiDriver(new CsiDriver(config), endpoint);
}
export { listDriverVolumes, type VolumeSummary } from './inventory.js';
