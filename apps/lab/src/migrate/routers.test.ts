// The comparison asks each router for outcome() first and builds the answer only for differences
// (check.ts compareRouters): outcome() must say what outcome(answer()) says, and answer() must not
// depend on what was asked before it. Fixtures: the examples/migrate app (TLS, canary, rewrite,
// named port, whitelist) against its conversion and against the naive hand-written version.
import { readFileSync } from 'node:fs';
import { parseManifestsOrThrow } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { outcome } from './check.js';
import { generateCorpus } from './corpus.js';
import { buildRouters } from './routers.js';

const example = (file: string) =>
  parseManifestsOrThrow(readFileSync(new URL(`../../../../examples/migrate/${file}`, import.meta.url), 'utf8'));
const before = example('ingress-nginx.yaml');
const pairs = { converted: example('gateway-converted.yaml'), naive: example('gateway-naive.yaml') };

describe.each(Object.entries(pairs))('migrate routers (ingress-nginx vs %s)', (_, after) => {
  const corpus = generateCorpus(before, after);

  it('give outcome() as outcome(answer()) and outcome(explain()) for every request', () => {
    const routers = buildRouters(before, after);
    for (const router of [routers.old, routers.new]) {
      for (const request of corpus) {
        const fast = router.outcome(request);
        expect(outcome(router.answer(request))).toBe(fast);
        expect(outcome(router.explain(request))).toBe(fast);
      }
    }
  });

  it('answer the same whether the outcome was asked first or not', () => {
    const asked = buildRouters(before, after);
    const fresh = buildRouters(before, after);
    // Backwards, so that no request follows its neighbour the way the corpus order has it.
    for (const request of [...corpus].reverse()) {
      asked.old.outcome(request);
      asked.new.outcome(request);
      expect(asked.old.answer(request)).toEqual(fresh.old.answer(request));
      expect(asked.new.answer(request)).toEqual(fresh.new.answer(request));
    }
  });
});
