import type { Redis } from 'ioredis';

// The store's writes as Lua scripts: Redis runs a script atomically, so the resourceVersion
// check, the counter bump, the object and its event are one indivisible step and one round trip.
// A script touches only the lab's keys (one hash tag), so it also runs on Redis Cluster.
//
// Stored record (hash value): `<rv> <generation> <specDigest> <uid> <creationTimestamp> <json>`.
// The JSON is never decoded in Lua (cjson cannot tell {} from []); the client sets
// metadata.resourceVersion from the record's first field or the event's stream id.

/** Appends one event with id `<rv>-0` (before anything else is written, so a failing XADD leaves no trace), then bumps the counter. */
const appendEvent = `
local function append(kind_of_event, json)
  local rv = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
  local id = string.format('%d', rv)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[1], id .. '-0', 't', kind_of_event, 'o', json)
  redis.call('SET', KEYS[1], id)
  return rv, id
end
local header = '^(%d+) (%d+) (%x+) (%S+) (%S+) '
`;

/** KEYS rv, objects-of-kind, events, kinds; ARGV maxlen, field, `<gen> <digest> <uid> <ts>`, json, kind, uid. */
const createLua = `${appendEvent}
local existing = redis.call('HGET', KEYS[2], ARGV[2])
if existing then
  -- A create resent after a dropped reply finds its own uid: it succeeded the first time.
  local rv, _, _, uid = string.match(existing, header)
  if uid == ARGV[6] then return {1, tonumber(rv)} end
  return {0}
end
local rv, id = append('ADDED', ARGV[4])
redis.call('HSET', KEYS[2], ARGV[2], id .. ' ' .. ARGV[3] .. ' ' .. ARGV[4])
redis.call('SADD', KEYS[4], ARGV[5])
return {1, rv}
`;

/**
 * KEYS rv, objects-of-kind, events; ARGV maxlen, field, expected rv ('' = unconditional),
 * spec digest, metadata JSON without its '{', rest of the object as ',…}' or '}'.
 * The stored uid and creationTimestamp are spliced in as strings; generation is bumped when the
 * spec digest changed.
 */
const updateLua = `${appendEvent}
local current = redis.call('HGET', KEYS[2], ARGV[2])
if not current then return {0} end
local rv, generation, digest, uid, ts = string.match(current, header)
if ARGV[3] ~= '' and ARGV[3] ~= rv then return {-1, rv} end
generation = tonumber(generation)
if ARGV[4] ~= digest then generation = generation + 1 end
local gen = string.format('%d', generation)
local json = '{"metadata":{"uid":"' .. uid .. '","creationTimestamp":"' .. ts .. '","generation":' .. gen .. ',' .. ARGV[5] .. ARGV[6]
local next_rv, id = append('MODIFIED', json)
redis.call('HSET', KEYS[2], ARGV[2], id .. ' ' .. gen .. ' ' .. ARGV[4] .. ' ' .. uid .. ' ' .. ts .. ' ' .. json)
return {1, next_rv, generation, uid, ts}
`;

/** KEYS rv, objects-of-kind, events; ARGV maxlen, field, expected rv ('' = unconditional). */
const deleteLua = `${appendEvent}
local current = redis.call('HGET', KEYS[2], ARGV[2])
if not current then return {0} end
local rv = string.match(current, '^(%d+) ')
if ARGV[3] ~= '' and ARGV[3] ~= rv then return {-1, rv} end
local _, header_end = string.find(current, header)
local json = string.sub(current, header_end + 1)
local next_rv = append('DELETED', json)
redis.call('HDEL', KEYS[2], ARGV[2])
return {1, next_rv, json}
`;

/** KEYS rv, kinds; ARGV objects prefix, kind ('' = every kind). Returns {rv, record…}: one consistent snapshot. */
const snapshotLua = `
local result = {redis.call('GET', KEYS[1]) or '0'}
local kinds = {ARGV[2]}
if ARGV[2] == '' then kinds = redis.call('SMEMBERS', KEYS[2]) end
for _, kind in ipairs(kinds) do
  local records = redis.call('HVALS', ARGV[1] .. kind)
  for i = 1, #records do result[#result + 1] = records[i] end
end
return result
`;

/** KEYS claims; ARGV key, holder. Returns the holder after the call. */
const claimLua = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then return current end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
`;

/**
 * KEYS claims; ARGV key1, holder1, key2, holder2, …. All or none: claims every key when each is
 * free or held by its holder. Returns {1 or 0, holder-before-the-call per key (nil when free)}.
 */
const claimAllLua = `
local result = {1}
for i = 1, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if current and current ~= ARGV[i + 1] then result[1] = 0 end
  result[#result + 1] = current
end
if result[1] == 0 then return result end
for i = 1, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
return result
`;

/** KEYS claims; ARGV key, holder. Compare-and-delete: only the holder releases. */
const releaseLua = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
`;

/** KEYS claims; ARGV prefix. Returns {key, holder, …} for keys starting with the prefix (no glob escaping needed). */
const claimsLua = `
local all = redis.call('HGETALL', KEYS[1])
local result = {}
local n = #ARGV[1]
for i = 1, #all, 2 do
  if string.sub(all[i], 1, n) == ARGV[1] then
    result[#result + 1] = all[i]
    result[#result + 1] = all[i + 1]
  end
end
return result
`;

type Arg = string | number;

/** The scripts as commands on a connection (EVALSHA, with EVAL on the first use per socket). */
export interface StoreScripts {
  kemuCreate(rv: string, objects: string, events: string, kinds: string, ...args: Arg[]): Promise<[number, number?]>;
  kemuUpdate(
    rv: string,
    objects: string,
    events: string,
    ...args: Arg[]
  ): Promise<[number, (number | string)?, number?, string?, string?]>;
  kemuDelete(rv: string, objects: string, events: string, ...args: Arg[]): Promise<[number, (number | string)?, string?]>;
  kemuSnapshot(rv: string, kinds: string, objectsPrefix: string, kind: string): Promise<string[]>;
  kemuClaim(claims: string, key: string, holder: string): Promise<string>;
  kemuClaimAll(claims: string, ...keysAndHolders: string[]): Promise<[number, ...(string | null)[]]>;
  kemuRelease(claims: string, key: string, holder: string): Promise<number>;
  kemuClaims(claims: string, prefix: string): Promise<string[]>;
}

const definitions: Record<keyof StoreScripts, { numberOfKeys: number; lua: string; readOnly?: boolean }> = {
  kemuCreate: { numberOfKeys: 4, lua: createLua },
  kemuUpdate: { numberOfKeys: 3, lua: updateLua },
  kemuDelete: { numberOfKeys: 3, lua: deleteLua },
  kemuSnapshot: { numberOfKeys: 2, lua: snapshotLua, readOnly: true },
  kemuClaim: { numberOfKeys: 1, lua: claimLua },
  kemuClaimAll: { numberOfKeys: 1, lua: claimAllLua },
  kemuRelease: { numberOfKeys: 1, lua: releaseLua },
  kemuClaims: { numberOfKeys: 1, lua: claimsLua, readOnly: true },
};

/** Defines the store's scripts on a connection (idempotent) and returns it typed with them. */
export function withStoreScripts(client: Redis): Redis & StoreScripts {
  for (const [name, definition] of Object.entries(definitions)) {
    if (!(name in client)) client.defineCommand(name, definition);
  }
  return client as Redis & StoreScripts;
}
