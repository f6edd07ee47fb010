import type { Store } from '@kemu/core';
import { CliExit, exitCodes } from '../cli/exit.js';

/**
 * Parses `--store`: `memory`, or `redis://HOST:PORT[/db]` (also `rediss://`). A malformed value is
 * the user's mistake (exit 1); an unreachable Redis is the environment's (exit 2, see cli/exit.ts).
 */
export function parseStoreOption(value: string): { kind: 'memory' } | { kind: 'redis'; url: string } {
  if (value === 'memory') return { kind: 'memory' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliExit(exitCodes.userError, `error: --store must be "memory" or redis://HOST:PORT[/db], got "${value}"`);
  }
  const db = url.pathname.replace(/^\//, '');
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname || (db !== '' && !/^\d+$/.test(db)))
    throw new CliExit(exitCodes.userError, `error: --store must be "memory" or redis://HOST:PORT[/db], got "${value}"`);
  return { kind: 'redis', url: value };
}

/**
 * Opens the store `--store` names and checks it answers, so a dead Redis fails before the lab starts.
 * Undefined for `memory`: the lab then makes (and closes) its own memory store.
 */
export async function openStore(value: string, lab: string): Promise<Store | undefined> {
  const parsed = parseStoreOption(value);
  if (parsed.kind === 'memory') return undefined;
  // Loaded lazily: only `--store redis://` pays for ioredis.
  const { createRedisStore } = await import('@kemu/core/redis');
  const store = createRedisStore({ url: parsed.url, lab, unavailableAfterMs: 3000 });
  try {
    await store.list('Namespace');
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new CliExit(exitCodes.internalError, `error: the store ${parsed.url} does not answer: ${(error as Error).message}`);
  }
  return store;
}
