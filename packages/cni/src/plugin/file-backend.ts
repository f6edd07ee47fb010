// host-local's disk store (plugins/ipam/host-local/backend/disk/backend.go), same on-disk layout:
// one file per address holding `id\r\nifname`, `last_reserved_ip.N` cursors and an empty `lock`.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type IP, parseIP, tryParseIP } from '@kemu/core';
import type { IpamBackend } from '../ipam/backend.js';

/**
 * Reservations as files under `<dataDir>/<network>/`. Creating a file with O_EXCL is atomic, which
 * is what keeps two plugin processes from taking one address (host-local also flocks `lock`;
 * Node has no flock, and O_EXCL alone already serialises the reservation itself).
 */
export class FileIpamBackend implements IpamBackend {
  readonly dir: string;

  constructor(dataDir: string, network: string) {
    this.dir = join(dataDir, network);
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    // disk.New opens (creates) the lock file on every invocation.
    closeSync(openSync(join(this.dir, 'lock'), 'a'));
  }

  async reserve(id: string, ifname: string, ip: IP, rangeId: number): Promise<boolean> {
    const name = join(this.dir, ip.toString());
    let fd: number;
    try {
      fd = openSync(name, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    try {
      writeSync(fd, `${id}\r\n${ifname}`.trim());
    } catch (err) {
      closeSync(fd);
      rmSync(name, { force: true });
      throw err;
    }
    closeSync(fd);
    writeFileSync(join(this.dir, `last_reserved_ip.${rangeId}`), ip.toString(), { mode: 0o644 });
    return true;
  }

  async lastReservedIP(rangeId: number): Promise<IP | undefined> {
    try {
      return tryParseIP(readFileSync(join(this.dir, `last_reserved_ip.${rangeId}`), 'utf8').trim());
    } catch {
      return undefined;
    }
  }

  async getByID(id: string, ifname: string): Promise<IP[]> {
    return this.matching(id, ifname).map(([ip]) => parseIP(ip));
  }

  async releaseByID(id: string, ifname: string): Promise<void> {
    for (const [, file] of this.matching(id, ifname)) rmSync(file, { force: true });
  }

  async reservations(): Promise<Map<string, { containerID: string; ifname: string }>> {
    const out = new Map<string, { containerID: string; ifname: string }>();
    for (const [ip, , content] of this.entries()) {
      const [containerID = '', ifname = ''] = content.split('\r\n');
      out.set(ip, { containerID, ifname });
    }
    return out;
  }

  private matching(id: string, ifname: string): [string, string, string][] {
    const match = `${id}\r\n${ifname}`.trim();
    return this.entries().filter(([, , content]) => content === match);
  }

  /** [address, path, trimmed content] of every reservation file. */
  private entries(): [string, string, string][] {
    const out: [string, string, string][] = [];
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      if (!entry.isFile() || !tryParseIP(entry.name)) continue;
      const file = join(this.dir, entry.name);
      try {
        out.push([entry.name, file, readFileSync(file, 'utf8').trim()]);
      } catch {
        // Removed between readdir and read: not a reservation any more.
      }
    }
    return out;
  }
}
