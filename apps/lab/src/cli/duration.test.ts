import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './duration.js';

// kubectl logs --since takes a Go duration (time.ParseDuration, go/src/time/format.go).
describe('parseGoDuration', () => {
  it('reads numbers with units, several in a row, fractions and a sign', () => {
    expect(parseGoDuration('5s')).toBe(5000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5m')).toBe(90_000);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('-2s')).toBe(-2000);
  });

  it('takes a lone 0 without a unit', () => {
    expect(parseGoDuration('0')).toBe(0);
  });

  it("refuses what Go refuses, with Go's words", () => {
    expect(() => parseGoDuration('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseGoDuration('3d')).toThrow('time: unknown unit "d" in duration "3d"');
    expect(() => parseGoDuration('s')).toThrow('time: invalid duration "s"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
  });
});
