// Test plumbing: a driver on a real unix socket in a temp dir, over a memory store of its own.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStore, MemoryBackend, type Store } from '@kemu/core';
import type { AccessModeName, VolumeCapability } from '@kemu/csi';
import { CsiClient, CsiDriver, type CsiDriverConfig, type ServedCsiDriver, serveCsiDriver } from '@kemu/csi/server';

/** Repository root. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
/** The official CSI v1.12.0 definition, next to the repository when the shared folder exists. */
export const officialProto = resolve(repoRoot, '../shared/spec/csi-v1.12.0/csi.proto');
/** Whether the official definition is present. */
export const haveOfficialProto = existsSync(officialProto);

/** The schemas a suite runs through: kemu's own, and the official one when present. */
export const schemas: { name: string; protoPath?: string }[] = [
  { name: 'kemu schema' },
  ...(haveOfficialProto ? [{ name: 'official csi.proto v1.12.0', protoPath: officialProto }] : []),
];

/** One running driver with its client, temp dir and store. */
export interface Lab {
  dir: string;
  backend: MemoryBackend;
  store: Store;
  served: ServedCsiDriver;
  client: CsiClient;
  /** Starts another driver (e.g. another node) on the same store and state dir. */
  another(config: Partial<CsiDriverConfig>): Promise<{ served: ServedCsiDriver; client: CsiClient }>;
  close(): Promise<void>;
}

let counter = 0;

/** Starts a driver for node `node-1` (plus registered nodes node-2, node-3) on a fresh temp dir. */
export async function startLab(protoPath?: string, config: Partial<CsiDriverConfig> = {}): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'kemu-csi-'));
  const backend = new MemoryBackend();
  const store = createMemoryStore({ backend, lab: 'csi-test' });
  const extra: { served: ServedCsiDriver; client: CsiClient }[] = [];
  const start = async (overrides: Partial<CsiDriverConfig>) => {
    const driver = new CsiDriver({
      stateDir: join(dir, 'state'),
      store: createMemoryStore({ backend, lab: 'csi-test' }),
      nodeId: 'node-1',
      ...overrides,
    });
    const served = await serveCsiDriver(driver, `unix://${join(dir, `csi-${counter++}.sock`)}`);
    return { served, client: new CsiClient(served.endpoint, protoPath ? { protoPath } : {}) };
  };
  const first = await start(config);
  await first.served.driver.registerNode('node-2');
  await first.served.driver.registerNode('node-3');
  return {
    dir,
    backend,
    store,
    served: first.served,
    client: first.client,
    async another(overrides) {
      const next = await start(overrides);
      extra.push(next);
      return next;
    },
    async close() {
      for (const { served, client } of [first, ...extra]) {
        client.close();
        await served.close();
      }
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** gRPC status number of a rejected call. */
export async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/** A mount capability with a mode. */
export function mountCap(mode: AccessModeName = 'SINGLE_NODE_WRITER'): VolumeCapability {
  return { mount: { fs_type: '', mount_flags: [] }, access_mode: { mode } };
}

/** A block capability with a mode. */
export function blockCap(mode: AccessModeName = 'SINGLE_NODE_WRITER'): VolumeCapability {
  return { block: {}, access_mode: { mode } };
}

export const MiB = 1024 * 1024;
