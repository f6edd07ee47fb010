// The kernel IPVS schedulers kube-proxy can select (net/netfilter/ipvs/ip_vs_{rr,wrr,lc,wlc,sed,
// nq,sh,dh}.c), as pure functions over a destination list and a caller-held state.
import { tryParseIP } from '@kemu/core';
import { InvalidOptionError } from '../errors.js';

/** One real server of a virtual server. kube-proxy gives every endpoint weight 1. */
export interface IPVSDestination {
  readonly endpoint: string;
  readonly ip: string;
  readonly weight: number;
  /** Established connections now. */
  readonly activeConns: number;
  /** Connections in other states (TIME_WAIT, …). */
  readonly inactiveConns: number;
}

/** Per-virtual-server scheduler memory (rr/wrr position). */
export interface IPVSSchedulerState {
  last: number;
  currentWeight: number;
}

/** Schedulers this model can pick with. */
export type IPVSScheduler = 'rr' | 'wrr' | 'lc' | 'wlc' | 'sed' | 'nq' | 'sh' | 'dh';

/** A fresh scheduler state. */
export function newSchedulerState(): IPVSSchedulerState {
  return { last: -1, currentWeight: 0 };
}

/** Result of one scheduling decision. */
export interface IPVSPick {
  readonly index: number;
  readonly reason: string;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** 32-bit key of an address: IPv4 value, IPv6 folded by XOR of its four words (ip_vs_addr_fold). */
function addrKey(ip: string): number {
  const parsed = tryParseIP(ip);
  if (!parsed) return 0;
  if (parsed.family === 'IPv4') return Number(parsed.value) >>> 0;
  let v = parsed.value;
  let folded = 0;
  for (let i = 0; i < 4; i++) {
    folded ^= Number(v & 0xffffffffn);
    v >>= 32n;
  }
  return folded >>> 0;
}

/** 256-bucket table index (IP_VS_SH_TAB_BITS / IP_VS_DH_TAB_BITS = 8). */
function bucket(key: number, multiplier: number): number {
  return (Math.imul(key, multiplier) >>> 0) >>> 24;
}

/** Bucket → destination, destinations with weight > 0 taken in turn (ip_vs_{sh,dh}_reassign). */
function bucketOwner(dests: readonly IPVSDestination[], b: number): number {
  const usable = dests.map((d, i) => (d.weight > 0 ? i : -1)).filter((i) => i >= 0);
  return usable.length === 0 ? -1 : (usable[b % usable.length] as number);
}

/** Picks a destination; -1 when none has weight > 0. */
export function ipvsSchedule(
  scheduler: IPVSScheduler,
  dests: readonly IPVSDestination[],
  state: IPVSSchedulerState,
  flow: { clientIP: string; destinationIP: string },
): IPVSPick {
  const n = dests.length;
  const none = { index: -1, reason: 'no real server with weight > 0' };
  if (n === 0) return none;
  switch (scheduler) {
    case 'rr': {
      for (let k = 1; k <= n; k++) {
        const i = (state.last + k + n) % n;
        if ((dests[i] as IPVSDestination).weight > 0) {
          state.last = i;
          return { index: i, reason: `rr: next real server after #${(i - 1 + n) % n} in turn` };
        }
      }
      return none;
    }
    case 'wrr': {
      const weights = dests.map((d) => d.weight);
      const mw = Math.max(...weights);
      if (mw <= 0) return none;
      const di = weights.filter((w) => w > 0).reduce(gcd);
      for (;;) {
        state.last = (state.last + 1) % n;
        if (state.last === 0) {
          state.currentWeight -= di;
          if (state.currentWeight <= 0) state.currentWeight = mw;
        }
        if ((weights[state.last] as number) >= state.currentWeight) {
          return { index: state.last, reason: `wrr: weight ${weights[state.last]} ≥ current weight ${state.currentWeight}` };
        }
      }
    }
    case 'lc':
    case 'wlc':
    case 'sed':
    case 'nq': {
      if (scheduler === 'nq') {
        const idle = dests.findIndex((d) => d.weight > 0 && d.activeConns === 0);
        if (idle >= 0) return { index: idle, reason: 'nq: first real server with no active connection' };
      }
      let best = -1;
      let bestOverhead = 0;
      for (let i = 0; i < n; i++) {
        const d = dests[i] as IPVSDestination;
        if (d.weight <= 0) continue;
        const overhead = scheduler === 'sed' || scheduler === 'nq' ? d.activeConns + 1 : d.activeConns * 256 + d.inactiveConns;
        if (scheduler === 'lc') {
          if (best < 0 || overhead < bestOverhead) [best, bestOverhead] = [i, overhead];
        } else if (best < 0 || bestOverhead * d.weight > overhead * (dests[best] as IPVSDestination).weight) {
          [best, bestOverhead] = [i, overhead];
        }
      }
      if (best < 0) return none;
      const formula =
        scheduler === 'lc'
          ? 'least active×256+inactive'
          : scheduler === 'wlc'
            ? 'least (active×256+inactive)/weight'
            : 'shortest expected delay (active+1)/weight';
      return { index: best, reason: `${scheduler}: ${formula} (overhead ${bestOverhead})` };
    }
    case 'sh': {
      const b = bucket(addrKey(flow.clientIP), 0x61c88647);
      const i = bucketOwner(dests, b);
      return i < 0 ? none : { index: i, reason: `sh: source ${flow.clientIP} hashes to bucket ${b} of 256` };
    }
    case 'dh': {
      const b = bucket(addrKey(flow.destinationIP), 0x9e3779b1);
      const i = bucketOwner(dests, b);
      return i < 0 ? none : { index: i, reason: `dh: destination ${flow.destinationIP} hashes to bucket ${b} of 256` };
    }
    default:
      throw new InvalidOptionError('scheduler', `"${scheduler as string}" is not one of rr, wrr, lc, wlc, sed, nq, sh, dh`);
  }
}
