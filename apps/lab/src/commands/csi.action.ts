import { resolve } from 'node:path';
import { createMemoryStore, formatBinaryQuantity, parseQuantity, type Store } from '@kemu/core';
import { CsiDriver, listDriverVolumes, serveCsiDriver, type VolumeSummary } from '@kemu/csi/server';
import { CliExit, exitCodes } from '../cli/exit.js';
import { type OutputFormat, printData } from '../cli/output.js';
import type { CsiServeOptions, CsiVolumesOptions } from './csi.command.js';

/** Opens the store a URL names: memory, or Redis (@kemu/core/redis). */
async function openStore(url: string, lab: string): Promise<Store> {
  if (url === 'memory') return createMemoryStore({ lab });
  if (!/^rediss?:\/\//.test(url))
    throw new CliExit(exitCodes.userError, `--store must be memory or redis://host:port, got "${url}"`);
  // Loaded only when asked for, so the memory path never loads ioredis.
  const redis = await import('@kemu/core/redis');
  return redis.createRedisStore({ url, lab });
}

/** `kemu csi serve`: runs until SIGINT or SIGTERM, then closes the socket and the store. */
export async function runCsiServe(options: CsiServeOptions): Promise<void> {
  const endpoint = options.endpoint ?? process.env.CSI_ENDPOINT;
  if (!endpoint) throw new CliExit(exitCodes.userError, 'give --endpoint unix:///path/to/csi.sock or set CSI_ENDPOINT');
  let capacity: bigint | undefined;
  if (options.capacity !== undefined) {
    capacity = parseQuantity(options.capacity);
    if (capacity === undefined || capacity <= 0n)
      throw new CliExit(exitCodes.userError, `--capacity must be a positive quantity such as 100Gi, got "${options.capacity}"`);
  }
  const store = await openStore(options.store, options.lab);
  const stateDir = resolve(options.stateDir);
  const driver = new CsiDriver({
    stateDir,
    store,
    driverName: options.driverName,
    ...(options.nodeid ? { nodeId: options.nodeid } : {}),
    controller: options.controller,
    maxVolumesPerNode: options.maxVolumesPerNode,
    ...(capacity ? { capacityBytes: Number(capacity) } : {}),
    // Without a shared store the state dir keeps the records, so restarts and `kemu csi volumes` see them.
    persistState: options.store === 'memory',
  });
  const served = await serveCsiDriver(driver, endpoint);
  const mode = [options.controller ? 'controller' : '', options.nodeid ? `node ${options.nodeid}` : '']
    .filter(Boolean)
    .join(' + ');
  process.stdout.write(
    `kemu csi: serving ${driver.name} (${mode}) on ${endpoint}, state dir ${stateDir}, store ${store.description}\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  process.stdout.write(`kemu csi: ${signal}, closing\n`);
  await served.close();
  await store.close();
}

function describeVolume(v: VolumeSummary): string[] {
  const attached = v.attachedTo.map((a) => `${a.node}${a.readonly ? '(ro)' : ''}`).join(',') || '-';
  const published = v.nodes.map((n) => `${n.node}:${n.published.length}`).join(',') || '-';
  return [v.name, v.volumeId, formatBinaryQuantity(v.capacityBytes), v.accessType, attached, published];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `kemu csi volumes`: the volumes with their attachments, from a state dir or a store. */
export async function runCsiVolumes(options: CsiVolumesOptions): Promise<void> {
  if (options.stateDir && options.store) throw new CliExit(exitCodes.userError, 'give either --state-dir or --store, not both');
  let volumes: VolumeSummary[];
  if (options.store) {
    const store = await openStore(options.store, options.lab);
    try {
      volumes = await listDriverVolumes({ store, driverName: options.driverName });
    } finally {
      await store.close();
    }
  } else {
    volumes = await listDriverVolumes({ stateDir: resolve(options.stateDir ?? 'kemu-csi-data') });
  }
  await printData(options.output as OutputFormat, volumes, () =>
    volumes.length === 0
      ? 'no volumes'
      : table([['NAME', 'VOLUME ID', 'SIZE', 'TYPE', 'ATTACHED TO', 'PUBLISHED (node:targets)'], ...volumes.map(describeVolume)]),
  );
}
