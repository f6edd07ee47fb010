// CNI_ARGS parsing as libcni's types.LoadArgs does it for host-local's IPAMEnvArgs (IP, IgnoreUnknown).
import { type IP, tryParseIP } from '@kemu/core';
import { IpamConfigError } from '../errors.js';

/** Known CNI_ARGS of host-local: `IP` and libcni's `IgnoreUnknown`. */
export interface CniArgs {
  ip?: IP;
  /** Every pair, for callers that want K8S_POD_NAME and friends. */
  pairs: Map<string, string>;
}

/** Parses `K1=V1;K2=V2` with host-local's errors (all code 999). */
export function parseCniArgs(text: string): CniArgs {
  const pairs = new Map<string, string>();
  const unknown: string[] = [];
  let ip: IP | undefined;
  let ignoreUnknown = false;
  if (text === '') return { pairs };
  for (const pair of text.split(';')) {
    const kv = pair.split('=');
    if (kv.length !== 2) throw new IpamConfigError(`ARGS: invalid pair ${goQuote(pair)}`);
    const [key, value] = kv as [string, string];
    pairs.set(key, value);
    if (key === 'IP') {
      ip = tryParseIP(value);
      if (!ip) throw new IpamConfigError(`ARGS: error parsing value of pair ${goQuote(pair)}: invalid IP address ${value}`);
    } else if (key === 'IgnoreUnknown') {
      const v = value.toLowerCase();
      if (v !== '1' && v !== 'true' && v !== '0' && v !== 'false') {
        throw new IpamConfigError(
          `ARGS: error parsing value of pair ${goQuote(pair)}: boolean unmarshal error: invalid input ${value}`,
        );
      }
      ignoreUnknown = v === '1' || v === 'true';
    } else unknown.push(pair);
  }
  if (unknown.length > 0 && !ignoreUnknown) {
    throw new IpamConfigError(`ARGS: unknown args [${unknown.map(goQuote).join(' ')}]`);
  }
  return ip ? { ip, pairs } : { pairs };
}

/** Go's %q for plain strings. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
