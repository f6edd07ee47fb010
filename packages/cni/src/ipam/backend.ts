import type { IP } from '@kemu/core';

/**
 * Where reservations live — host-local's `backend.Store` (disk store), made async so that the
 * same allocator runs over files, the kemu memory store or Redis.
 */
export interface IpamBackend {
  /** Reserves `ip` for (id, ifname) if free and records it as range set `rangeId`'s cursor. */
  reserve(id: string, ifname: string, ip: IP, rangeId: number): Promise<boolean>;
  /** The cursor of range set `rangeId`, if any. */
  lastReservedIP(rangeId: number): Promise<IP | undefined>;
  /**
   * Addresses held by (id, ifname). Backends may answer only for range set `rangeId` (the only
   * ones the duplicate check looks at) so that the check costs one lookup instead of a scan.
   */
  getByID(id: string, ifname: string, rangeId: number): Promise<IP[]>;
  /** Releases every address held by (id, ifname); unknown owners are not an error. */
  releaseByID(id: string, ifname: string): Promise<void>;
  /** Every reservation: address text → holder (for GC and listings). */
  reservations(): Promise<Map<string, { containerID: string; ifname: string }>>;
  /**
   * Optional fast path: reserve `ip` unless (id, ifname) already holds an address of range set
   * `rangeId`, in one step — lets a store answer the duplicate check with the reservation itself
   * instead of a lookup before every allocation. Returns the held address on a duplicate.
   */
  reserveUnique?(id: string, ifname: string, ip: IP, rangeId: number): Promise<'reserved' | 'taken' | { duplicate: IP }>;
  /** Runs `fn` under the backend's lock (host-local flocks `lock`); default: no lock. */
  withLock?<T>(fn: () => Promise<T>): Promise<T>;
}
