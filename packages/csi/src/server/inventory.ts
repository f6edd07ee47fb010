import type { Store } from '@kemu/core';
import { DriverBook } from './book.js';
import { defaultDriverName } from './context.js';
import { readStateFile } from './persist.js';
import type { VolumeRecord } from './records.js';

/** One volume with where it is attached, staged and published (what `kemu csi volumes` prints). */
export interface VolumeSummary {
  volumeId: string;
  name: string;
  capacityBytes: number;
  accessType: 'block' | 'mount';
  accessibleTopology?: Record<string, string>;
  /** Nodes it is ControllerPublished (attached) to, with readonly. */
  attachedTo: { node: string; readonly: boolean; mode: string }[];
  /** Per node: staging paths and published target paths. */
  nodes: { node: string; staged: string[]; published: string[] }[];
}

function summarize(record: VolumeRecord): VolumeSummary {
  return {
    volumeId: record.spec.volumeId,
    name: record.spec.name,
    capacityBytes: record.spec.capacityBytes,
    accessType: record.spec.accessType,
    ...(record.spec.accessibleTopology ? { accessibleTopology: record.spec.accessibleTopology } : {}),
    attachedTo: Object.entries(record.status.published).map(([node, p]) => ({ node, readonly: p.readonly, mode: p.mode })),
    nodes: Object.entries(record.status.nodes)
      .map(([node, use]) => ({ node, staged: Object.keys(use.staged), published: Object.keys(use.mounts) }))
      .filter((n) => n.staged.length > 0 || n.published.length > 0),
  };
}

/**
 * The volumes of a driver, from a running lab's store or from a state dir's state file (written
 * by a driver started with persistState, as `kemu csi serve` does without --store).
 */
export async function listDriverVolumes(
  source: { stateDir: string } | { store: Store; driverName?: string },
): Promise<VolumeSummary[]> {
  let records: VolumeRecord[];
  if ('stateDir' in source) {
    records = (await readStateFile(source.stateDir))?.volumes ?? [];
  } else {
    records = await new DriverBook(source.store, source.driverName ?? defaultDriverName).volumes();
  }
  return records.map(summarize).sort((a, b) => a.name.localeCompare(b.name));
}
