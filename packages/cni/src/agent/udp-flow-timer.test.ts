// Conntrack's UDP timeouts (net/netfilter/nf_conntrack_proto_udp.c, udp_packet; defaults from
// Documentation/networking/nf_conntrack-sysctl.rst: udp_timeout 30 s, udp_timeout_stream 120 s).
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { defaultUdpTimeouts, UdpFlowTimer, udpIdleTimeout } from './udp-flow-timer.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it('keeps an unreplied flow for nf_conntrack_udp_timeout (30 s)', () => {
  expect(udpIdleTimeout(defaultUdpTimeouts, false, 10_000)).toBe(30_000);
});

it('keeps a replied flow at 30 s within two seconds of its start, then as a stream (120 s)', () => {
  // udp_packet: "Still active after two seconds? Extend timeout." (stream_ts = start + 2 s).
  expect(udpIdleTimeout(defaultUdpTimeouts, true, 1_000)).toBe(30_000);
  expect(udpIdleTimeout(defaultUdpTimeouts, true, 2_500)).toBe(120_000);
});

it('expires a flow idle for its timeout, each packet pushing the expiry back', () => {
  const expired = vi.fn();
  const timer = new UdpFlowTimer(defaultUdpTimeouts, expired);
  vi.advanceTimersByTime(20_000);
  timer.seen('original');
  vi.advanceTimersByTime(20_000);
  expect(expired).not.toHaveBeenCalled();
  vi.advanceTimersByTime(10_001);
  expect(expired).toHaveBeenCalledTimes(1);
});

it('extends a flow that became a stream to 120 s of idleness', () => {
  const expired = vi.fn();
  const timer = new UdpFlowTimer(defaultUdpTimeouts, expired);
  vi.advanceTimersByTime(3_000);
  timer.seen('reply');
  vi.advanceTimersByTime(119_000);
  expect(expired).not.toHaveBeenCalled();
  vi.advanceTimersByTime(1_001);
  expect(expired).toHaveBeenCalledTimes(1);
  timer.stop();
});
