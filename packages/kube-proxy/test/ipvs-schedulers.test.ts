// IPVS schedulers as the kernel implements them (net/netfilter/ipvs/ip_vs_*.c).
import { describe, expect, it } from 'vitest';
import { type IPVSDestination, type IPVSScheduler, ipvsSchedule, newSchedulerState } from '../src/index.js';

const dest = (i: number, weight = 1, active = 0, inactive = 0): IPVSDestination => ({
  endpoint: `10.1.0.${i}:80`,
  ip: `10.1.0.${i}`,
  weight,
  activeConns: active,
  inactiveConns: inactive,
});
const flow = { clientIP: '10.0.0.2', destinationIP: '10.96.0.10' };
const picks = (s: IPVSScheduler, dests: IPVSDestination[], n: number, f = flow) => {
  const state = newSchedulerState();
  return Array.from({ length: n }, () => ipvsSchedule(s, dests, state, f).index);
};

describe('IPVS schedulers', () => {
  it('rr skips weight-0 (draining) real servers', () => {
    expect(picks('rr', [dest(1), dest(2, 0), dest(3)], 4)).toEqual([0, 2, 0, 2]);
  });

  it('wrr serves real servers in proportion to weight (ip_vs_wrr.c)', () => {
    expect(picks('wrr', [dest(1, 3), dest(2, 1)], 8)).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('wlc divides the overhead (active×256+inactive) by the weight', () => {
    // 10.1.0.1: 2 active / weight 1 = 512; 10.1.0.2: 3 active / weight 2 = 384.
    expect(ipvsSchedule('wlc', [dest(1, 1, 2), dest(2, 2, 3)], newSchedulerState(), flow).index).toBe(1);
  });

  it('sed uses (active+1)/weight', () => {
    // (1+1)/1 = 2 vs (2+1)/2 = 1.5.
    expect(ipvsSchedule('sed', [dest(1, 1, 1), dest(2, 2, 2)], newSchedulerState(), flow).index).toBe(1);
  });

  it('nq sends to an idle real server first, whatever its weight', () => {
    expect(ipvsSchedule('nq', [dest(1, 5, 1), dest(2, 1, 0)], newSchedulerState(), flow).index).toBe(1);
  });

  it('sh keeps one client on one real server; dh keeps one destination on one real server', () => {
    const dests = [dest(1), dest(2), dest(3)];
    expect(new Set(picks('sh', dests, 5))).toHaveProperty('size', 1);
    const clients = new Set(Array.from({ length: 40 }, (_, i) => picks('sh', dests, 1, { ...flow, clientIP: `10.0.1.${i}` })[0]));
    expect(clients.size).toBe(3);
    expect(new Set(picks('dh', dests, 5))).toHaveProperty('size', 1);
  });

  it('answers -1 when every real server has weight 0', () => {
    for (const s of ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh'] as const) {
      expect(ipvsSchedule(s, [dest(1, 0)], newSchedulerState(), flow).index).toBe(-1);
    }
  });
});
