// csiRelevance: only changes the CSI controllers read call for a pass (a controller's informer
// event handlers filter the same way, e.g. the A/D controller's podAdd ignores pods without volumes).
import type { Node, Pod } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { csiRelevance } from './relevance.js';

const pod = (volumes: Pod['spec']['volumes']): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [], ...(volumes ? { volumes } : {}) },
});
const node = (volumesInUse?: string[]): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  status: volumesInUse ? { volumesInUse } : {},
});

describe('csiRelevance', () => {
  it('passes storage objects and pods with claims, not pods without', () => {
    const relevant = csiRelevance();
    expect(relevant('ADDED', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' } })).toBe(true);
    expect(relevant('MODIFIED', pod([{ name: 'd', persistentVolumeClaim: { claimName: 'c' } }]))).toBe(true);
    expect(relevant('MODIFIED', pod([{ name: 'e', emptyDir: {} }]))).toBe(false);
    expect(relevant('ADDED', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toBe(false);
  });

  it('passes a node only when it appears, goes, or changes volumesInUse', () => {
    const relevant = csiRelevance();
    expect(relevant('ADDED', node())).toBe(true);
    expect(relevant('MODIFIED', node())).toBe(false);
    expect(relevant('MODIFIED', node(['kubernetes.io/csi/csi.kemu.dev^v1']))).toBe(true);
    expect(relevant('MODIFIED', node(['kubernetes.io/csi/csi.kemu.dev^v1']))).toBe(false);
    expect(relevant('MODIFIED', node([]))).toBe(true);
    expect(relevant('DELETED', node([]))).toBe(true);
  });
});
