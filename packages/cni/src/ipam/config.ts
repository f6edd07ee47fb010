// Parsing of host-local's `ipam` section (allocator/config.go LoadIPAMConfig, range.go Canonicalize),
// with the error texts host-local 1.1.1 prints (reference §2.2–§2.3).
import { type IP, parseIP, tryParseCIDR, tryParseIP } from '@kemu/core';
import { IpamConfigError } from '../errors.js';
import { defaultRangeEnd, type IpamRange, type RangeSet, rangeSetsOverlap, rangesOverlap } from './range.js';

/** A range as written in JSON. */
export interface RangeJSON {
  subnet?: string;
  rangeStart?: string;
  rangeEnd?: string;
  gateway?: string;
}

/** A route as written in JSON and copied to the result unchanged. */
export interface RouteJSON {
  dst: string;
  gw?: string;
  [key: string]: unknown;
}

/** host-local's `ipam` object (plus kemu's `store`). */
export interface IpamConfigJSON extends RangeJSON {
  type?: string;
  ranges?: RangeJSON[][];
  routes?: RouteJSON[];
  dataDir?: string;
  resolvConf?: string;
  /** kemu: `redis://…` to allocate cluster-wide instead of in dataDir files. */
  store?: string;
}

/** The canonical IPAM configuration. */
export interface IpamConfig {
  /** The network name (the state directory / key prefix). */
  readonly name: string;
  /** Range sets in order; range set N keeps cursor `last_reserved_ip.N`. */
  readonly ranges: readonly RangeSet[];
  /** Routes copied into the result. */
  readonly routes: readonly RouteJSON[];
  /** Where the file store lives (default `/var/lib/cni/networks`). */
  readonly dataDir: string;
  /** Path of a resolv.conf to turn into the result's `dns`. */
  readonly resolvConf?: string;
  /** kemu: the cluster-wide store URL. */
  readonly store?: string;
  /** Requested addresses, from CNI_ARGS `IP=`, `args.cni.ips`, then `runtimeConfig.ips`. */
  readonly requestedIPs: readonly IP[];
}

/** Inputs of {@link parseIpamConfig} beyond the ipam object. */
export interface IpamConfigInput {
  name: string;
  cniVersion?: string;
  ipam: IpamConfigJSON;
  /** `IP=` from CNI_ARGS, already parsed. */
  argsIP?: IP;
  /** `args.cni.ips`. */
  argsIPs?: string[];
  /** `runtimeConfig.ips` (CIDR or plain form). */
  runtimeIPs?: string[];
  /** `runtimeConfig.ipRanges`, prepended to the ranges. */
  runtimeRanges?: RangeJSON[][];
}

/** host-local's default state directory. */
export const defaultDataDir = '/var/lib/cni/networks';

/** Parses and canonicalizes an ipam section exactly as host-local does; throws {@link IpamConfigError}. */
export function parseIpamConfig(input: IpamConfigInput): IpamConfig {
  const { ipam } = input;
  const requested: IP[] = [];
  if (input.argsIP) requested.push(input.argsIP);
  for (const text of input.argsIPs ?? []) requested.push(parseIPArg(text));
  for (const text of input.runtimeIPs ?? []) requested.push(parseIPArg(text.split('/')[0] ?? text));

  const rawSets: RangeJSON[][] = [];
  for (const set of input.runtimeRanges ?? []) rawSets.push(set);
  // The legacy single range goes first (config.go: "prepend it to the Ranges array").
  if (ipam.subnet !== undefined) rawSets.push([ipam]);
  for (const set of ipam.ranges ?? []) rawSets.push(set);
  if (rawSets.length === 0) throw new IpamConfigError('no IP ranges specified');

  const ranges = rawSets.map((set, i) => {
    try {
      return canonicalizeRangeSet(set);
    } catch (err) {
      if (err instanceof RangeProblem) throw new IpamConfigError(`invalid range set ${i}: ${err.message}`);
      throw err;
    }
  });
  // CNI spec 0.2.0 and below carried one address per family.
  const v4 = ranges.filter((s) => s[0]!.subnet.family === 'IPv4').length;
  if ((v4 > 1 || ranges.length - v4 > 1) && !versionAtLeast(input.cniVersion ?? '0.1.0', '0.3.0')) {
    throw new IpamConfigError(`CNI version ${input.cniVersion ?? ''} does not support more than 1 address per family`);
  }
  for (let i = 0; i < ranges.length - 1; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      if (rangeSetsOverlap(ranges[i]!, ranges[j]!)) throw new IpamConfigError(`range set ${i} overlaps with ${j}`);
    }
  }
  return {
    name: input.name,
    ranges,
    routes: ipam.routes ?? [],
    dataDir: ipam.dataDir || defaultDataDir,
    ...(ipam.resolvConf ? { resolvConf: ipam.resolvConf } : {}),
    ...(ipam.store ? { store: ipam.store } : {}),
    requestedIPs: requested,
  };
}

/** A problem inside one range set; the caller prefixes `invalid range set N:`. */
class RangeProblem extends Error {}

function canonicalizeRangeSet(set: RangeJSON[]): RangeSet {
  if (set.length === 0) throw new RangeProblem('empty range set');
  const out = set.map(canonicalizeRange);
  if (out.some((r) => r.subnet.family !== out[0]!.subnet.family)) throw new RangeProblem('mixed address families');
  for (let i = 0; i < out.length - 1; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i]!;
      const b = out[j]!;
      if (rangesOverlap(a, b)) {
        throw new RangeProblem(`subnets ${a.rangeStart}-${a.rangeEnd} and ${b.rangeStart}-${b.rangeEnd} overlap`);
      }
    }
  }
  return out;
}

function canonicalizeRange(json: RangeJSON): IpamRange {
  const subnetText = json.subnet ?? '';
  const parsed = tryParseCIDR(subnetText);
  if (typeof parsed === 'string') throw new IpamConfigError(`invalid CIDR address: ${subnetText}`);
  const given = parseIP(subnetText.slice(0, subnetText.indexOf('/')));
  // range.go: "Can't create an allocator for a network with no addresses, eg a /32 or /31".
  if (parsed.prefixLength > parsed.network.bits - 2) {
    throw new RangeProblem(`Network ${given}/${parsed.prefixLength} too small to allocate from`);
  }
  if (!given.equals(parsed.network)) {
    throw new RangeProblem(
      `Network has host bits set. For a subnet mask of length ${parsed.prefixLength} the network address is ${parsed.network}`,
    );
  }
  const subnet = parsed;
  // host-local 1.1.1 accepts a gateway outside the subnet (observed: 10.2.0.1 for 10.1.0.0/24).
  const gateway = json.gateway !== undefined ? parseIPField(json.gateway) : subnet.network.next();
  const start = json.rangeStart !== undefined ? parseIPField(json.rangeStart) : undefined;
  const end = json.rangeEnd !== undefined ? parseIPField(json.rangeEnd) : undefined;
  const inRange = (ip: IP, lo?: IP, hi?: IP): boolean =>
    subnet.contains(ip) && (lo === undefined || ip.value >= lo.value) && (hi === undefined || ip.value <= hi.value);
  // 1.1.1 checks rangeStart against rangeEnd too, and says "not in network" either way (reference §2.3).
  if (start && !inRange(start, undefined, end)) throw new RangeProblem(`RangeStart ${start} not in network ${subnet}`);
  if (end && !inRange(end, start, undefined)) throw new RangeProblem(`RangeEnd ${end} not in network ${subnet}`);
  return {
    subnet,
    gateway,
    rangeStart: start ?? subnet.network.next(),
    rangeEnd: end ?? defaultRangeEnd(subnet),
  };
}

function parseIPField(text: string): IP {
  const ip = tryParseIP(text);
  if (!ip) throw new IpamConfigError(`invalid IP address: ${text}`);
  return ip;
}

function parseIPArg(text: string): IP {
  const ip = tryParseIP(text);
  if (!ip) throw new IpamConfigError(`invalid IP address: ${text}`);
  return ip;
}

/** Semver-ish comparison of CNI versions (`x.y.z`). */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}
