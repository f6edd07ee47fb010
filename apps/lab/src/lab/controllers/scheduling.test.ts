import { type Node, type Pod, parseManifestsOrThrow } from '@kemu/core';
import { describe, expect, it } from 'vitest';
import { nodeUnfitReason, pickNode, tolerates } from './scheduling.js';

const node = (name: string, labels: Record<string, string> = {}, spec: Node['spec'] = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  spec,
});

const pod = (spec: string): Pod =>
  parseManifestsOrThrow(`apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers: [ { name: c, image: kemu/echo } ]
${spec}`)[0] as Pod;

describe('scheduler filters', () => {
  // nodeaffinity plugin: nodeSelector must match every label.
  it('filters by nodeSelector', () => {
    const p = pod('  nodeSelector: { disk: ssd }');
    expect(nodeUnfitReason(p, node('a', { disk: 'ssd' }))).toBeUndefined();
    expect(nodeUnfitReason(p, node('b', { disk: 'hdd' }))).toBe("node(s) didn't match Pod's node affinity/selector");
  });

  // labels.Requirement Gt/Lt compare the label value as an integer.
  it('evaluates Gt and Lt in required node affinity as integers', () => {
    const p = pod(`  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms: [ { matchExpressions: [ { key: cores, operator: Gt, values: ["8"] }, { key: cores, operator: Lt, values: ["64"] } ] } ]`);
    expect(nodeUnfitReason(p, node('a', { cores: '16' }))).toBeUndefined();
    expect(nodeUnfitReason(p, node('b', { cores: '8' }))).toBeDefined();
    expect(nodeUnfitReason(p, node('c', { cores: 'many' }))).toBeDefined();
    expect(nodeUnfitReason(p, node('d', {}))).toBeDefined();
  });

  // v1helper.MatchNodeSelectorTerms: terms are ORed.
  it('ORs node selector terms', () => {
    const p = pod(`  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions: [ { key: zone, operator: In, values: [a] } ]
        - matchFields: [ { key: metadata.name, operator: In, values: [special] } ]`);
    expect(nodeUnfitReason(p, node('x', { zone: 'a' }))).toBeUndefined();
    expect(nodeUnfitReason(p, node('special', { zone: 'b' }))).toBeUndefined();
    expect(nodeUnfitReason(p, node('y', { zone: 'b' }))).toBeDefined();
  });

  // tainttoleration plugin: NoSchedule taints need a matching toleration; PreferNoSchedule does not filter.
  it('keeps pods off nodes with untolerated NoSchedule taints', () => {
    const tainted = node('t', {}, { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    expect(nodeUnfitReason(pod(''), tainted)).toBe('node(s) had untolerated taint {dedicated: gpu}');
    expect(
      nodeUnfitReason(pod('  tolerations: [ { key: dedicated, operator: Equal, value: gpu, effect: NoSchedule } ]'), tainted),
    ).toBeUndefined();
    expect(nodeUnfitReason(pod(''), node('s', {}, { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }))).toBeUndefined();
  });

  // v1helper.ToleratesTaint: empty key with Exists tolerates every taint; empty effect matches every effect.
  it('matches tolerations as upstream', () => {
    expect(tolerates({ operator: 'Exists' }, { key: 'any', effect: 'NoExecute' })).toBe(true);
    expect(tolerates({ key: 'a', operator: 'Exists', effect: 'NoSchedule' }, { key: 'a', effect: 'NoExecute' })).toBe(false);
    expect(tolerates({ key: 'a', value: 'v' }, { key: 'a', value: 'w', effect: 'NoSchedule' })).toBe(false);
  });

  // nodeunschedulable plugin.
  it('skips unschedulable nodes unless the pod tolerates it', () => {
    const cordoned = node('c', {}, { unschedulable: true });
    expect(nodeUnfitReason(pod(''), cordoned)).toBe('node(s) were unschedulable');
    expect(
      nodeUnfitReason(pod('  tolerations: [ { key: node.kubernetes.io/unschedulable, operator: Exists } ]'), cordoned),
    ).toBeUndefined();
  });
});

describe('node choice', () => {
  it('picks the feasible node with the fewest pods, ties by name', () => {
    const counts: Record<string, number> = { a: 2, b: 1, c: 1 };
    expect(pickNode(pod(''), [node('c'), node('a'), node('b')], (n) => counts[n] ?? 0)).toEqual({ node: 'b' });
  });

  // FitError.Error(): "0/N nodes are available: <count> <reason>, …."
  it('explains why no node fits, as the FitError message', () => {
    const result = pickNode(pod('  nodeSelector: { disk: ssd }'), [node('a'), node('b', {}, { unschedulable: true })], () => 0);
    expect(result).toEqual({
      message: "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable.",
    });
  });
});
