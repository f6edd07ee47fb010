// How the pod's HTTP proxy tells its client what the node agents did with a request: the hops
// (`service A -> B`, `bridge`, `tunnel n1 -> n2`) in a response header, beside `kemu-reason`.

/** The response header carrying the hops a proxied request took (each percent-encoded, comma-separated). */
export const hopsHeader = 'kemu-hops';

/** The response header carrying why the pod network refused a request (percent-encoded). */
export const reasonHeader = 'kemu-reason';

/** Formats hops for {@link hopsHeader}. */
export function formatHops(hops: readonly string[]): string {
  return hops.map((h) => encodeURIComponent(h)).join(', ');
}

/** Parses a {@link hopsHeader} value; an absent header gives no hops. */
export function parseHops(value: string | undefined | null): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0)
    .map((h) => decodeURIComponent(h));
}
