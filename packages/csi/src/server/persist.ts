import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesObject, Store } from '@kemu/core';
import { isMultiNode } from '../csi/access-modes.js';
import type { DriverBook } from './book.js';
import type { NodeRecord, SnapshotRecord, VolumeRecord } from './records.js';

/** File in the state dir holding the driver's records when its store lives only in memory. */
export const stateFileName = 'kemu-csi-state.json';

interface StateFile {
  volumes: VolumeRecord[];
  snapshots: SnapshotRecord[];
  nodes: NodeRecord[];
}

function fresh<T extends KubernetesObject>(object: T): T {
  const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, generation: _g, ...metadata } = object.metadata;
  return { ...object, metadata: metadata as T['metadata'] };
}

/** Reads the state file of `stateDir`, if any (for `kemu csi volumes --state-dir`). */
export async function readStateFile(stateDir: string): Promise<StateFile | undefined> {
  const text = await readFile(join(stateDir, stateFileName), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as StateFile);
}

/**
 * Loads a state file into a store and rebuilds the claims that guard names, exclusive attachments
 * and attach slots, the way csi-driver-host-path reloads its JSON state on restart.
 */
export async function loadState(book: DriverBook, stateDir: string): Promise<number> {
  const state = await readStateFile(stateDir);
  if (!state) return 0;
  const store: Store = book.store;
  for (const record of [...state.nodes, ...state.volumes, ...state.snapshots]) {
    if (!(await store.get({ kind: record.kind, namespace: record.metadata.namespace, name: record.metadata.name })))
      await store.create(fresh(record));
  }
  for (const volume of state.volumes) {
    await book.claim(book.keys.volumeName(volume.spec.name), volume.spec.volumeId);
    for (const [node, published] of Object.entries(volume.status.published)) {
      if (!isMultiNode(published.mode)) await book.claim(book.keys.exclusive(volume.spec.volumeId), node);
      if (published.slot !== undefined) await book.claim(book.keys.slot(node, published.slot), volume.spec.volumeId);
    }
  }
  for (const snapshot of state.snapshots) await book.claim(book.keys.snapshotName(snapshot.spec.name), snapshot.spec.snapshotId);
  return state.volumes.length;
}

/**
 * Writes the driver's records to the state file after changes: atomically (write, then rename)
 * and coalesced, so a burst of RPCs costs one or two writes.
 */
export class StateWriter {
  private running: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly book: DriverBook,
    private readonly stateDir: string,
  ) {}

  /** Schedules a write; resolves once a write that includes every change so far has finished. */
  async save(): Promise<void> {
    this.dirty = true;
    while (this.dirty) {
      if (this.running) {
        await this.running;
        continue;
      }
      this.dirty = false;
      this.running = this.write().finally(() => {
        this.running = undefined;
      });
      await this.running;
    }
  }

  private async write(): Promise<void> {
    const state: StateFile = {
      volumes: await this.book.volumes(),
      snapshots: await this.book.snapshots(),
      nodes: await this.book.nodes(),
    };
    const file = join(this.stateDir, stateFileName);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(state, null, 1)}\n`);
    await rename(temporary, file);
  }
}
