import type { Node } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { completeNodes, labNode, workerName } from './nodes.js';

describe('lab nodes', () => {
  // kind names workers kind-worker, kind-worker2, …
  it('names workers as kind does', () => {
    expect([0, 1, 2].map((i) => workerName(i))).toEqual(['kemu-worker', 'kemu-worker2', 'kemu-worker3']);
    expect(labNode(1).metadata.labels?.['topology.kubernetes.io/zone']).toBe('zone-b');
  });

  // nodeipam range allocator: each node gets its own /24 of the cluster CIDR; held ones are skipped.
  it('gives manifest nodes distinct pod CIDRs and InternalIPs', () => {
    const bare = (name: string, podCIDR?: string): Node => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: podCIDR ? { podCIDR } : {},
    });
    const nodes = completeNodes([bare('a'), bare('b', '10.244.1.0/24'), bare('c')]);
    expect(nodes.map((n) => n.spec?.podCIDR)).toEqual(['10.244.2.0/24', '10.244.1.0/24', '10.244.3.0/24']);
    expect(nodes.map((n) => n.status?.addresses?.[0]?.address)).toEqual(['172.18.0.2', '172.18.0.3', '172.18.0.4']);
  });
});
