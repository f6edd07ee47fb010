import { constants } from 'node:fs';
import { cp, lstat, mkdir, open, readdir, readlink, rm, rmdir, statfs, symlink, truncate, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * Volumes on disk, under one state dir:
 * - a mount volume is the directory `volumes/<volumeId>`; a block volume is the sparse file
 *   `volumes/<volumeId>.img` truncated to the volume's size;
 * - a snapshot is a copy of the volume's data at `snapshots/<snapshotId>` (independent of its
 *   source, as the spec recommends), a clone is a copy of the source volume's data.
 * Without root there are no mounts: NodePublish makes `target_path` a symbolic link to the data.
 */
export class VolumeStorage {
  readonly root: string;

  constructor(stateDir: string) {
    this.root = resolve(stateDir);
  }

  /** Creates the state dir layout. */
  async init(): Promise<void> {
    await mkdir(join(this.root, 'volumes'), { recursive: true });
    await mkdir(join(this.root, 'snapshots'), { recursive: true });
  }

  /** Relative data path of a volume. */
  volumePath(volumeId: string, accessType: 'block' | 'mount'): string {
    return accessType === 'block' ? join('volumes', `${volumeId}.img`) : join('volumes', volumeId);
  }

  /** Relative data path of a snapshot. */
  snapshotPath(snapshotId: string, accessType: 'block' | 'mount'): string {
    return accessType === 'block' ? join('snapshots', `${snapshotId}.img`) : join('snapshots', snapshotId);
  }

  /** Absolute path of a relative data path, refusing anything that would leave the state dir. */
  absolute(relative: string): string {
    const path = resolve(this.root, relative);
    if (path !== this.root && !path.startsWith(this.root + sep)) throw new Error(`path ${relative} escapes the state dir`);
    return path;
  }

  /** Whether `path` is inside the state dir (a CO path there would let a client touch volume data). */
  contains(path: string): boolean {
    const absolute = resolve(path);
    return absolute === this.root || absolute.startsWith(this.root + sep);
  }

  /** Makes the data of a new volume, empty or copied from a source's data. */
  async createData(relative: string, accessType: 'block' | 'mount', sizeBytes: number, sourceRelative?: string): Promise<void> {
    const path = this.absolute(relative);
    if (sourceRelative) {
      await cp(this.absolute(sourceRelative), path, { recursive: true, force: true, errorOnExist: false });
    } else if (accessType === 'mount') {
      await mkdir(path, { recursive: true });
    } else {
      const handle = await open(path, constants.O_CREAT | constants.O_WRONLY, 0o644);
      await handle.close();
    }
    if (accessType === 'block') await truncate(path, sizeBytes);
  }

  /** Copies data (snapshot cut). */
  async copyData(fromRelative: string, toRelative: string): Promise<void> {
    await cp(this.absolute(fromRelative), this.absolute(toRelative), { recursive: true, force: true });
  }

  /** Grows a block volume's file; mount volumes have no file system to grow. */
  async resize(relative: string, accessType: 'block' | 'mount', sizeBytes: number): Promise<void> {
    if (accessType === 'block') await truncate(this.absolute(relative), sizeBytes);
  }

  /** Removes data (idempotent). */
  async removeData(relative: string): Promise<void> {
    await rm(this.absolute(relative), { recursive: true, force: true });
  }

  /**
   * Bytes and inodes a volume's data really uses: allocated blocks as `du` counts them, and one
   * inode per file, directory and link.
   */
  async usage(relative: string): Promise<{ bytes: number; inodes: number }> {
    const path = this.absolute(relative);
    let bytes = 0;
    let inodes = 0;
    const walk = async (p: string): Promise<void> => {
      const stat = await lstat(p);
      inodes += 1;
      bytes += stat.blocks * 512;
      if (stat.isDirectory()) {
        for (const entry of await readdir(p)) await walk(join(p, entry));
      }
    };
    await walk(path);
    return { bytes, inodes };
  }

  /** The host file system's inode counts under the state dir. */
  async inodeTotals(): Promise<{ total: number; free: number }> {
    const stats = await statfs(this.root);
    return { total: Number(stats.files), free: Number(stats.ffree) };
  }

  /** The host file system's free bytes under the state dir. */
  async freeBytes(): Promise<number> {
    const stats = await statfs(this.root);
    return Number(stats.bavail) * Number(stats.bsize);
  }

  /**
   * Makes `target` a link to the volume data. An existing empty directory (older COs create the
   * target themselves) is replaced; an existing link to the same data is kept.
   */
  async link(relative: string, target: string): Promise<void> {
    const data = this.absolute(relative);
    await mkdir(dirname(target), { recursive: true });
    const existing = await lstat(target).catch(() => undefined);
    if (existing?.isSymbolicLink()) {
      if ((await readlink(target)) === data) return;
      await unlink(target);
    } else if (existing?.isDirectory()) {
      await rmdir(target);
    } else if (existing) {
      await unlink(target);
    }
    await symlink(data, target);
  }

  /**
   * Removes what NodePublish made at `target`: only a link into this state dir, or an empty
   * directory; anything else is left alone (a driver must never delete a user's files).
   */
  async unlink(target: string): Promise<void> {
    const existing = await lstat(target).catch(() => undefined);
    if (!existing) return;
    if (existing.isSymbolicLink()) {
      if (this.contains(await readlink(target))) await unlink(target);
      return;
    }
    if (existing.isDirectory()) await rmdir(target).catch(() => undefined);
  }

  /** Whether `path` exists. */
  async exists(path: string): Promise<boolean> {
    return (await lstat(path).catch(() => undefined)) !== undefined;
  }

  /** mkdir -p. */
  async ensureDir(path: string): Promise<void> {
    await mkdir(path, { recursive: true });
  }
}
