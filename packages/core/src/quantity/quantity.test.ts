import { describe, expect, it } from 'vitest';
import { formatBinaryQuantity, isQuantity, parseQuantity } from './quantity.js';

// Semantics of resource.Quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go, Value()).
describe('quantities', () => {
  it.each<[string, bigint]>([
    ['1Gi', 1073741824n],
    ['1.5Gi', 1610612736n],
    ['500Mi', 524288000n],
    ['1G', 1000000000n],
    ['100m', 1n],
    ['1e3', 1000n],
    ['2k', 2000n],
    ['0', 0n],
  ])('%s is %d', (text, value) => {
    expect(parseQuantity(text)).toBe(value);
  });

  it('rejects what the API server rejects', () => {
    for (const bad of ['1GB', 'Gi', '1 Gi', '', '1.2.3', 'ten']) expect(isQuantity(bad), bad).toBe(false);
    expect(parseQuantity('1GB')).toBeUndefined();
  });

  it('formats bytes with the largest exact binary suffix', () => {
    expect(formatBinaryQuantity(1073741824n)).toBe('1Gi');
    expect(formatBinaryQuantity(1536)).toBe('1536');
    expect(formatBinaryQuantity(3 * 1024 * 1024)).toBe('3Mi');
  });
});
