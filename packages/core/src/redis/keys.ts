import { StoreInvalidError } from '../store/errors.js';

/**
 * The Redis keys of one lab. Every key carries the lab in a hash tag (`{lab}`), so a lab lives in
 * one Redis Cluster slot and a Lua script may touch all of its keys
 * (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags).
 */
export interface LabKeys {
  /** String: the lab's last issued resourceVersion. */
  resourceVersion: string;
  /** Stream: one entry per write, id `<resourceVersion>-0`, trimmed to about the history limit. */
  events: string;
  /** Set: every kind ever stored, so a whole-lab snapshot can find the per-kind hashes. */
  kinds: string;
  /** Prefix of the per-kind hashes `<prefix><Kind>`: field = store key, value = stored record. */
  objectsPrefix: string;
  /** Hash: claimed key → holder. */
  claims: string;
}

/** Lab names: what fits a hash tag and reads well in `redis-cli --scan`. */
const labName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The keys of `lab`; throws on a name that could break out of the hash tag. */
export function labKeys(lab: string): LabKeys {
  if (!labName.test(lab)) {
    throw new StoreInvalidError(
      `lab name "${lab}" must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  const base = `kemu:{${lab}}:`;
  return {
    resourceVersion: `${base}rv`,
    events: `${base}events`,
    kinds: `${base}kinds`,
    objectsPrefix: `${base}objects:`,
    claims: `${base}claims`,
  };
}
