// Invariants of the path helpers (networking/v1 PathType Prefix rules), checked with fast-check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elementPrefixMatches, normalizeNginxURI, SegmentTrie } from './paths.js';

const segment = fc.constantFrom('a', 'b', 'aa', 'ab', 'foo', '');
const path = fc.array(segment, { minLength: 0, maxLength: 4 }).map((s) => `/${s.join('/')}`);

describe('SegmentTrie', () => {
  it('a loose trie finds the longest rule that elementPrefixMatches accepts', () => {
    fc.assert(
      fc.property(fc.uniqueArray(path, { maxLength: 6 }), path, (rules, request) => {
        const trie = new SegmentTrie<string>({ strict: false });
        const cleaned = rules.filter((r) => !r.slice(1).includes('//') && !(r.length > 1 && r.endsWith('/')));
        for (const r of cleaned) trie.insert(r, r);
        const expected = cleaned.filter((r) => elementPrefixMatches(r, request)).sort((x, y) => y.length - x.length)[0];
        expect(trie.longest(request)?.value).toBe(expected);
      }),
    );
  });

  it('switches to a Map above 8 children and still finds every rule', () => {
    const trie = new SegmentTrie<number>({ strict: false });
    for (let i = 0; i < 40; i++) trie.insert(`/svc${i}/api`, i);
    expect([trie.longest('/svc0/api/x')?.value, trie.longest('/svc39/api')?.value, trie.longest('/svc40/api')]).toEqual([
      0,
      39,
      undefined,
    ]);
    expect(trie.get('/svc17/api/')).toBe(17);
  });

  it('a strict entry (nginx `location /foo/`) needs a "/" after the element', () => {
    const trie = new SegmentTrie<string>({ strict: true });
    trie.insert('/foo/', 'foo');
    expect([trie.longest('/foo')?.value, trie.longest('/foo/')?.value, trie.longest('/foo/x')?.value]).toEqual([
      undefined,
      'foo',
      'foo',
    ]);
  });
});

describe('normalizeNginxURI', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '.', '..', '', '%41'), { maxLength: 6 }), (parts) => {
        const once = normalizeNginxURI(`/${parts.join('/')}`);
        if (once !== null) expect(normalizeNginxURI(once.replace(/%/g, '%25'))).toBe(once);
      }),
    );
  });
});
