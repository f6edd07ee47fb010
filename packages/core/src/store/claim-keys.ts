import { StoreInvalidError } from './errors.js';

/**
 * Rejects a `claimAll` list naming one key twice: "all or none" has no meaning when one key
 * would get two holders. Checked before any I/O so both backends fail the same way.
 */
export function checkDistinctClaimKeys(claims: ReadonlyArray<readonly [key: string, holder: string]>): void {
  // Pairwise for the short lists callers send (IPAM sends two); a Set only for long ones.
  const seen = claims.length > 8 ? new Set<string>() : undefined;
  for (let i = 0; i < claims.length; i++) {
    const key = claims[i]![0];
    const repeated = seen ? seen.has(key) : claims.findIndex(([other]) => other === key) < i;
    if (repeated) throw new StoreInvalidError(`claimAll names key "${key}" more than once; list each key once`);
    seen?.add(key);
  }
}
