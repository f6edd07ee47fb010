// Measures one downstream response for the `complete` event: status, time and bytes, as nginx's
// access log and ingress-nginx's metrics see them ($status, $request_time, $bytes_sent).
import type { Socket } from 'node:net';
import type { AnyResponse } from './forward.js';

/** What {@link watchCompletion} reports once a response has ended. */
export interface ResponseMeasure {
  status: number;
  durationMs: number;
  bytes: number;
  aborted: boolean;
}

/**
 * Calls `done` once when `res` finishes (or closes unfinished). HTTP/1.1 counts the socket's bytes
 * written meanwhile (head and body; a keep-alive socket carries one response at a time); HTTP/2
 * streams share their socket, so there the body bytes handed to write/end are counted instead.
 */
export function watchCompletion(res: AnyResponse, done: (measure: ResponseMeasure) => void): void {
  const started = performance.now();
  const http2 = 'stream' in res;
  const socket = http2 ? undefined : (res.socket as Socket | null);
  const before = socket?.bytesWritten ?? 0;
  let bodyBytes = 0;
  if (http2) {
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => unknown;
    (res as unknown as { write: unknown }).write = (...args: unknown[]) => {
      bodyBytes += chunkLength(args[0], args[1]);
      return write(...args);
    };
    (res as unknown as { end: unknown }).end = (...args: unknown[]) => {
      if (typeof args[0] !== 'function') bodyBytes += chunkLength(args[0], args[1]);
      return end(...args);
    };
  }
  let reported = false;
  const report = (aborted: boolean): void => {
    if (reported) return;
    reported = true;
    done({
      // A client that leaves before the answer starts is nginx's 499 (NGX_HTTP_CLIENT_CLOSED_REQUEST).
      status: aborted && !res.headersSent ? 499 : res.statusCode,
      durationMs: performance.now() - started,
      bytes: socket ? socket.bytesWritten - before : bodyBytes,
      aborted,
    });
  };
  res.once('finish', () => report(false));
  res.once('close', () => report(!res.writableFinished));
}

function chunkLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string')
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}
