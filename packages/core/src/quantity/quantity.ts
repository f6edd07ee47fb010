// resource.Quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go): a decimal number with a
// binary (Ki, Mi, …) or decimal (k, M, …, m) suffix, or an exponent (1e3).

const binary: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const pattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** True when `text` is a valid Kubernetes quantity. */
export function isQuantity(text: string): boolean {
  return pattern.test(text.trim()) && text.trim() === text;
}

/**
 * The value of a quantity, rounded up to a whole unit as Quantity.Value() does
 * (so `1.5Gi` is 1610612736 and `100m` is 1); undefined when it does not parse.
 * @example parseQuantity('1Gi') // 1073741824n
 */
export function parseQuantity(text: string | number): bigint | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? BigInt(Math.ceil(text)) : undefined;
  const match = pattern.exec(text);
  if (!match) return undefined;
  const [, number, suffix = ''] = match;
  const [whole = '0', fraction = ''] = number!.replace(/^[+-]/, '').split('.');
  const negative = number!.startsWith('-');
  let exponent10 = 0;
  let exponent2 = 0;
  if (suffix in binary) exponent2 = binary[suffix]!;
  else if (suffix in decimal) exponent10 = decimal[suffix]!;
  else exponent10 = Number(suffix.slice(1));
  // value = digits × 10^(exponent10 - fraction.length) × 2^exponent2, rounded up.
  let numerator = BigInt((whole || '0') + fraction) << BigInt(exponent2);
  let denominator = 1n;
  const scale = exponent10 - fraction.length;
  if (scale >= 0) numerator *= 10n ** BigInt(scale);
  else denominator = 10n ** BigInt(-scale);
  const value = (numerator + denominator - 1n) / denominator;
  return negative ? -value : value;
}

/** Bytes as the largest exact binary quantity: 1073741824 → `1Gi`, 1500 → `1500`. */
export function formatBinaryQuantity(bytes: bigint | number): string {
  let value = BigInt(bytes);
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let i = 0;
  while (i < suffixes.length - 1 && value !== 0n && value % 1024n === 0n) {
    value /= 1024n;
    i++;
  }
  return `${value}${suffixes[i]}`;
}
