import type { ConfigMap } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { OwnWrites } from './own-writes.js';

const map = (name: string, rv: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', resourceVersion: rv },
});

describe('own writes over a cache', () => {
  it('shows a created object before the cache has it, then defers to the cache', () => {
    const writes = new OwnWrites<ConfigMap>();
    writes.record(map('a', '5'));
    expect(writes.merge([]).map((o) => o.metadata.name)).toEqual(['a']);
    expect(writes.merge([map('a', '7')])[0]!.metadata.resourceVersion).toBe('7');
    expect(writes.merge([]).length).toBe(0);
  });

  it('hides a deleted object the cache still shows', () => {
    const writes = new OwnWrites<ConfigMap>();
    writes.record(map('a', '9'), true);
    expect(writes.merge([map('a', '4')])).toEqual([]);
  });
});
