/** Nanoseconds since the Unix epoch: when a log line was written. */
export type LogClock = () => bigint;

const nanosPerSecond = 1_000_000_000n;
// The wall clock read once, advanced by the monotonic clock: lines carry nanoseconds, as CRI log
// lines do, and never go backwards when the system clock is stepped (tail and since rely on order).
const origin = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** The clock container logs use by default. */
export const wallClock: LogClock = () => origin + process.hrtime.bigint();

/**
 * Formats a time as the kubelet prints log timestamps: RFC 3339 in UTC with exactly nine fraction
 * digits (`types.RFC3339NanoFixed`, `2006-01-02T15:04:05.000000000Z07:00`, kuberuntime/logs
 * timeFormatOut). Fixed width also makes two of them compare as strings in time order.
 */
export function rfc3339NanoFixed(nanos: bigint): string {
  const seconds = nanos / nanosPerSecond;
  const fraction = (nanos % nanosPerSecond).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

const rfc3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/** Parses an RFC 3339 time (Go's `time.RFC3339`, fraction allowed) to nanoseconds; undefined when it is not one. */
export function parseRFC3339(text: string): bigint | undefined {
  const match = rfc3339.exec(text);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}${match[3]!.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** Seconds as nanoseconds. */
export function secondsToNanos(seconds: number): bigint {
  return BigInt(Math.trunc(seconds)) * nanosPerSecond;
}
