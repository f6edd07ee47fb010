import { rpcError } from '../errors.js';

// ListVolumes / ListSnapshots paging (spec ListVolumes): entries sorted by id; `next_token` is
// the id of the first entry not returned, wrapped so a made-up token is recognisably invalid.

const tokenPrefix = 'kemu-csi:';

/** The opaque next_token for an entry id. */
export function encodeToken(id: string): string {
  return Buffer.from(tokenPrefix + id).toString('base64url');
}

/** The id a starting_token points at; anything kemu did not issue is ABORTED, as the spec says. */
export function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(tokenPrefix) || encodeToken(text.slice(tokenPrefix.length)) !== token) {
    throw rpcError.aborted(`starting_token "${token}" is not a token this plugin issued`);
  }
  return text.slice(tokenPrefix.length);
}

/** One page of `items` (sorted by `idOf`) from `startingToken`, at most `maxEntries` (0 = all). */
export function page<T>(
  items: T[],
  idOf: (item: T) => string,
  maxEntries: number,
  startingToken: string,
): { entries: T[]; nextToken: string } {
  if (!Number.isInteger(maxEntries) || maxEntries < 0)
    throw rpcError.invalidArgument(`max_entries must not be negative, got ${maxEntries}`);
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const from = startingToken ? decodeToken(startingToken) : '';
  const rest = from ? sorted.filter((item) => idOf(item) >= from) : sorted;
  if (maxEntries === 0 || rest.length <= maxEntries) return { entries: rest, nextToken: '' };
  return { entries: rest.slice(0, maxEntries), nextToken: encodeToken(idOf(rest[maxEntries]!)) };
}
