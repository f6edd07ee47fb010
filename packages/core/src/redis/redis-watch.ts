import type { Redis } from 'ioredis';
import type { KubernetesObject } from '../objects/meta.js';
import { StoreGoneError } from '../store/errors.js';
import type { ObjectFilter } from '../store/filter.js';
import type { WatchEvent, WatchEventType } from '../store/types.js';
import type { WatchQueue } from '../store/watch-queue.js';
import type { LabKeys } from './keys.js';
import { decodeEvent } from './records.js';

/** Where a watch starts: after `resourceVersion`, with these synthetic ADDED events first. */
export interface WatchStart<T extends KubernetesObject> {
  resourceVersion: number;
  initial: T[];
}

/** What a stream reader needs from the store. */
export interface StreamWatchContext<T extends KubernetesObject> {
  /** A dedicated connection (XREAD BLOCK occupies it); disconnected when the watch ends. */
  connection: Redis;
  keys: LabKeys;
  filter: ObjectFilter;
  queue: WatchQueue<T>;
  /** Resolves the start point (a snapshot for an unset resourceVersion). */
  start: () => Promise<WatchStart<T>>;
  /** The lab's current resourceVersion, read on the store's main connection. */
  currentResourceVersion: () => Promise<number>;
  /** Maps a failure to the store's errors. */
  toStoreError: (error: unknown) => Error;
}

/** Stream entries per XREAD and how long one blocks before looping (so a dead socket is noticed). */
const batch = 1000;
const blockMs = 5000;

type StreamReply = Array<[string, Array<[string, string[]]>]> | null;

/**
 * Follows the lab's event stream from a resourceVersion. Ids are `<rv>-0` and every write adds
 * exactly one entry, so consecutive entries have consecutive rvs; an entry that skips ahead means
 * the history in between was trimmed, and the watch fails with 410 Gone, as the API server's does
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#410-gone-responses).
 */
export async function followStream<T extends KubernetesObject>(context: StreamWatchContext<T>): Promise<void> {
  const { connection, keys, filter, queue } = context;
  let last = 0;
  // After a reconnect, a Redis that lost its data (restarted without persistence) starts its
  // counter again below ours: that history is gone, and silence would hide it.
  let reconnected = false;
  connection.on('close', () => {
    reconnected = true;
  });
  connection.on('ready', () => {
    if (!reconnected || queue.isClosed) return;
    reconnected = false;
    // Compare with what was seen before the reconnect: events read meanwhile are newer than the GET.
    const seen = last;
    context.currentResourceVersion().then(
      (current) => {
        if (current < seen) queue.fail(new StoreGoneError(String(seen), String(current)));
      },
      () => {},
    );
  });
  try {
    const start = await context.start();
    last = start.resourceVersion;
    for (const object of start.initial) if (filter(object)) queue.push({ type: 'ADDED', object });
    while (!queue.isClosed) {
      const reply = (await connection.xread(
        'COUNT',
        batch,
        'BLOCK',
        blockMs,
        'STREAMS',
        keys.events,
        `${last}-0`,
      )) as StreamReply;
      if (queue.isClosed) return;
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        const rv = Number(id.slice(0, id.indexOf('-')));
        if (rv !== last + 1) throw new StoreGoneError(String(last), String(rv - 1));
        last = rv;
        const event = eventOf<T>(fields, String(rv));
        if (filter(event.object)) queue.push(event);
      }
    }
  } catch (error) {
    if (!queue.isClosed) queue.fail(context.toStoreError(error));
  } finally {
    connection.disconnect();
  }
}

/** One stream entry's fields `t <type> o <json>` as a watch event. */
function eventOf<T extends KubernetesObject>(fields: string[], rv: string): WatchEvent<T> {
  let type: WatchEventType = 'MODIFIED';
  let json = '{}';
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 't') type = fields[i + 1] as WatchEventType;
    else if (fields[i] === 'o') json = fields[i + 1]!;
  }
  return { type, object: decodeEvent<T>(json, rv) };
}
