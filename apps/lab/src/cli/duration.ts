import { InvalidArgumentError } from 'commander';

/** Milliseconds per unit of a Go duration. */
const units: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a duration as Go's `time.ParseDuration` does (what kubectl's `--since` takes): an
 * optional sign and one or more decimal numbers each with a unit (`ns`, `us`, `ms`, `s`, `m`,
 * `h`), e.g. `5s`, `1h30m`, `1.5h`; a lone `0` needs no unit. Returns milliseconds; throws an
 * InvalidArgumentError worded as Go's errors (`time: invalid duration "x"`).
 *
 * @example parseGoDuration('1m30s') // 90000
 */
export function parseGoDuration(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  let rest = text.replace(/^[-+]/, '');
  if (rest === '0') return 0;
  if (rest === '') throw new InvalidArgumentError(`time: invalid duration "${text}"`);
  let total = 0;
  while (rest) {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if (number[0] === '' || number[0] === '.') throw new InvalidArgumentError(`time: invalid duration "${text}"`);
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') throw new InvalidArgumentError(`time: missing unit in duration "${text}"`);
    const scale = units[unit];
    if (scale === undefined) throw new InvalidArgumentError(`time: unknown unit "${unit}" in duration "${text}"`);
    total += Number(number[0]) * scale;
    rest = rest.slice(unit.length);
  }
  return sign * total;
}
