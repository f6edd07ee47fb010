// `kemu up`'s progress display (issue 7: "starts in the foreground in well under a second for a
// small lab, with a progress display for large ones"): what it counts, when it shows, how it draws.
import { parseManifestsOrThrow } from '@kemu/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectedPods, formatProgress, type ProgressSample, shouldShowProgress, startUpProgress } from './up-progress.js';

describe('expectedPods', () => {
  it('counts workload replicas (1 when unset, as the API server defaults them) and bare Pods', () => {
    const objects = parseManifestsOrThrow(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec: { replicas: 1000, selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [ { name: c, image: kemu/echo } ] } } }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec: { serviceName: db, selector: { matchLabels: { app: db } }, template: { metadata: { labels: { app: db } }, spec: { containers: [ { name: c, image: kemu/echo } ] } } }
---
apiVersion: v1
kind: Pod
metadata: { name: one }
spec: { containers: [ { name: c, image: kemu/echo } ] }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { ports: [ { port: 80 } ] }
`);
    expect(expectedPods(objects)).toBe(1002);
  });
});

describe('shouldShowProgress', () => {
  it('shows a large lab at once and a small one only once it is slow', () => {
    expect(shouldShowProgress(1000, 0)).toBe(true);
    expect(shouldShowProgress(10, 100)).toBe(false);
    expect(shouldShowProgress(10, 500)).toBe(true);
  });
});

describe('formatProgress', () => {
  it('shows Ready over expected pods, the pods not yet created, nodes and time', () => {
    expect(formatProgress({ created: 600, ready: 412, nodes: 50 }, 1000, 2_400)).toBe(
      'pods: 412/1000 ready (600 created), 50 nodes, 2.4 s…',
    );
    expect(formatProgress({ created: 12, ready: 3, nodes: 1 }, 10, 700)).toBe('pods: 3/12 ready, 1 node, 0.7 s…');
  });
});

describe('startUpProgress', () => {
  let clock = 0;
  let sample: ProgressSample = { created: 0, ready: 0, nodes: 3 };
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
    sample = { created: 0, ready: 0, nodes: 3 };
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function run(isTTY: boolean, expected: number) {
    const written: string[] = [];
    const progress = startUpProgress({
      expected,
      started: 0,
      stream: { isTTY, write: (text: string) => written.push(text) },
      sample: () => sample,
      now: () => clock,
    });
    const advance = (ms: number) => {
      clock += ms;
      vi.advanceTimersByTime(ms);
    };
    return { written, progress, advance };
  }

  it('writes one line per second when stderr is not a terminal, and stops at Ready', () => {
    const { written, advance } = run(false, 100);
    sample = { created: 100, ready: 40, nodes: 3 };
    advance(1000);
    sample = { created: 100, ready: 90, nodes: 3 };
    advance(1000);
    sample = { created: 100, ready: 100, nodes: 3 };
    advance(3000);
    expect(written).toEqual([
      'pods: 0/100 ready (0 created), 3 nodes, 0.0 s…\n',
      'pods: 40/100 ready, 3 nodes, 1.0 s…\n',
      'pods: 90/100 ready, 3 nodes, 2.0 s…\n',
    ]);
  });

  it('redraws one line in place on a terminal and clears it when stopped', () => {
    const { written, progress, advance } = run(true, 100);
    sample = { created: 50, ready: 5, nodes: 3 };
    advance(100);
    sample = { created: 100, ready: 50, nodes: 3 };
    advance(100);
    progress.stop();
    advance(1000);
    expect(written.every((w) => w.startsWith('\r') && !w.includes('\n'))).toBe(true);
    expect(written[1]).toBe('\rpods: 5/100 ready (50 created), 3 nodes, 0.1 s…');
    expect(written.at(-1)?.trim()).toBe('');
    expect(written).toHaveLength(4);
  });

  it('shows a small lab only once it has taken half a second', () => {
    const { written, advance } = run(false, 3);
    sample = { created: 3, ready: 1, nodes: 1 };
    advance(1000);
    expect(written).toEqual(['pods: 1/3 ready, 1 node, 1.0 s…\n']);
  });

  it('stays silent for a small lab that is ready within half a second', () => {
    const { written, advance } = run(true, 3);
    sample = { created: 3, ready: 1, nodes: 1 };
    advance(300);
    sample = { created: 3, ready: 3, nodes: 1 };
    advance(2000);
    expect(written).toEqual([]);
  });

  it('shows nothing when the manifests create no pods', () => {
    const { written, advance } = run(false, 0);
    advance(5000);
    expect(written).toEqual([]);
  });
});
