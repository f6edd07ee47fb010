import { Redis, type RedisOptions } from 'ioredis';
import { isKemuError } from '../errors/kemu-error.js';
import { StoreClosedError, StoreUnavailableError } from '../store/errors.js';

/** Reconnect delay after the n-th failed attempt: 50 ms doubling to 1 s, as ioredis suggests. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** (attempt - 1), 1000);
}

/**
 * How many reconnect attempts fit in `ms`: ioredis fails queued commands after that many
 * (`maxRetriesPerRequest`), which bounds how long a call waits for an unreachable Redis.
 */
export function attemptsWithin(ms: number): number {
  let attempts = 0;
  for (let waited = 0; waited < ms; ) waited += reconnectDelay(++attempts);
  return Math.max(1, attempts);
}

/** The URL as messages show it: the password is never printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/** Opens the store's connection: retries forever in the background, fails commands after `unavailableAfterMs`. */
export function openConnection(url: string, unavailableAfterMs: number): Redis {
  const options: RedisOptions = {
    retryStrategy: reconnectDelay,
    maxRetriesPerRequest: attemptsWithin(unavailableAfterMs),
    connectTimeout: Math.min(unavailableAfterMs, 10_000),
    // No auto-pipelining: it halves the rate of sequential calls (measured), and concurrent calls
    // are pipelined on the socket anyway.
    enableAutoPipelining: false,
    connectionName: 'kemu-store',
  };
  return new Redis(url, options);
}

/** Remembers a connection's last error (ioredis reports them as events) for the unavailable message. */
export class ConnectionErrors {
  last: Error | undefined;

  /** Listens on `client`; also keeps ioredis from printing "Unhandled error event". */
  watch(client: Redis): void {
    client.on('error', (error: Error) => {
      this.last = error;
    });
    client.on('ready', () => {
      this.last = undefined;
    });
  }
}

/** Maps what ioredis throws to the store's errors. */
export function storeError(error: unknown, url: string, errors: ConnectionErrors, closed: boolean): Error {
  if (isKemuError(error)) return error;
  if (closed) return new StoreClosedError(`Redis store ${url}`);
  // Retries exhausted or the connection dropped: say why the connection failed, not which
  // ioredis limit tripped.
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'MaxRetriesPerRequestError' || message === 'Connection is closed.') {
    return new StoreUnavailableError(url, errors.last ?? error);
  }
  return new StoreUnavailableError(url, error);
}
