import type { Pod } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { applyTo, lastAppliedAnnotation, withLastApplied } from './apply.js';

const desired = (labels: Record<string, string>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'kemu/echo' }] },
});

describe('apply (three-way merge)', () => {
  // kubectl apply: fields set by others (nodeName, status) survive; fields dropped from the manifest are removed.
  it('keeps fields others set and removes fields the manifest dropped', () => {
    const live = {
      ...withLastApplied(desired({ a: '1', b: '2' })),
      metadata: { ...withLastApplied(desired({ a: '1', b: '2' })).metadata, resourceVersion: '7' },
    } as Pod;
    live.spec.nodeName = 'kemu-worker';
    live.status = { phase: 'Running' };
    const next = applyTo(live, desired({ a: '1' }));
    expect(next.spec.nodeName).toBe('kemu-worker');
    expect(next.status?.phase).toBe('Running');
    expect(next.metadata.labels).toEqual({ a: '1' });
    expect(next.metadata.resourceVersion).toBe('7');
    expect(JSON.parse(next.metadata.annotations![lastAppliedAnnotation]!).metadata.labels).toEqual({ a: '1' });
  });

  it('changes nothing when the manifest is the same', () => {
    const live = withLastApplied(desired({ a: '1' }));
    expect(JSON.stringify(applyTo(live, desired({ a: '1' })))).toBe(JSON.stringify(live));
  });
});
