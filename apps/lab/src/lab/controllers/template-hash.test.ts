import type { PodTemplateSpec } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { computeTemplateHash, equalIgnoreHash, fnv32a, safeEncodeString } from './template-hash.js';

const template = (image: string, labels: Record<string, string> = { app: 'web' }): PodTemplateSpec => ({
  metadata: { labels },
  spec: { containers: [{ name: 'c', image }] },
});

describe('pod-template-hash', () => {
  // FNV-1a 32 test vectors (http://www.isthe.com/chongo/tech/comp/fnv/).
  it('computes FNV-1a 32', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(fnv32a('foobar')).toBe(0xbf9cf968);
  });

  // apimachinery rand.SafeEncodeString maps each byte into "bcdfghjklmnpqrstvwxz2456789".
  it('encodes like rand.SafeEncodeString', () => {
    expect(safeEncodeString('0123')).toBe('4567');
  });

  it('is stable across key order and ignores the hash label', () => {
    const a = computeTemplateHash(template('kemu/echo'));
    const b = computeTemplateHash({
      spec: { containers: [{ image: 'kemu/echo', name: 'c' }] },
      metadata: { labels: { app: 'web', 'pod-template-hash': 'x' } },
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computeTemplateHash(template('kemu/echo:2'))).not.toBe(a);
    expect(computeTemplateHash(template('kemu/echo'), 1)).not.toBe(a);
  });

  it('compares templates ignoring the hash label', () => {
    expect(equalIgnoreHash(template('x', { app: 'a', 'pod-template-hash': '1' }), template('x', { app: 'a' }))).toBe(true);
    expect(equalIgnoreHash(template('x'), template('y'))).toBe(false);
  });
});
