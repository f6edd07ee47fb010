/** Topology key every kemu node reports, like csi-driver-host-path's `topology.hostpath.csi/node`. */
export const nodeTopologyKey = 'topology.csi.kemu.dev/node';

import type { Topology } from './types.js';

/** Stable text form of a topology's segments (key order ignored). */
export function topologyKey(topology: Topology | Record<string, string>): string {
  const segments = 'segments' in topology && typeof topology.segments === 'object' ? topology.segments : topology;
  const entries = Object.entries((segments ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/** Whether `inner`'s segments are all present with the same values in `outer`. */
export function segmentsWithin(inner: Record<string, string>, outer: Record<string, string>): boolean {
  return Object.entries(inner).every(([k, v]) => outer[k] === v);
}

/**
 * Where a new volume goes (spec TopologyRequirement): the first `preferred` entry, else the first
 * `requisite` entry, else nowhere in particular (accessible from every node). A directory-backed
 * volume lives in exactly one topology segment set (x = 1 in the spec's terms).
 */
export function chooseTopology(
  requirement: { requisite?: Topology[]; preferred?: Topology[] } | null | undefined,
): Record<string, string> | undefined {
  const preferred = requirement?.preferred?.find((t) => Object.keys(t.segments ?? {}).length > 0);
  if (preferred) return { ...preferred.segments };
  const requisite = requirement?.requisite?.find((t) => Object.keys(t.segments ?? {}).length > 0);
  return requisite ? { ...requisite.segments } : undefined;
}

/** Whether a volume placed at `placed` satisfies the requisite list (empty list: anything goes). */
export function satisfiesRequisite(placed: Record<string, string> | undefined, requisite: Topology[] | undefined): boolean {
  const wanted = (requisite ?? []).filter((t) => Object.keys(t.segments ?? {}).length > 0);
  if (wanted.length === 0) return true;
  if (!placed) return false;
  return wanted.some((t) => topologyKey(t) === topologyKey(placed));
}
