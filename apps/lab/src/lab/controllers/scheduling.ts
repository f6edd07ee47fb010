import type { Node, NodeSelectorTerm, Pod, Toleration } from '@kemu/core';

// The scheduler's filters, pure (pkg/scheduler/framework/plugins: nodeunschedulable, nodeaffinity,
// tainttoleration). Each returns the upstream "reason" string when the node does not fit.

type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];
type Requirement = NonNullable<NodeSelectorTerm['matchExpressions']>[number];

/** Why a node cannot take a pod, as the scheduler's FitError counts it; undefined when it fits. */
export function nodeUnfitReason(pod: Pod, node: Node): string | undefined {
  const tolerations = pod.spec.tolerations ?? [];
  if (node.spec?.unschedulable) {
    // nodeunschedulable.go: tolerating the unschedulable taint lets a pod in.
    const tolerated = tolerations.some((t) => tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }));
    if (!tolerated) return 'node(s) were unschedulable';
  }
  if (!matchesNodeSelectorAndAffinity(pod, node)) return "node(s) didn't match Pod's node affinity/selector";
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerations.some((t) => tolerates(t, taint))) {
      return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
    }
  }
  return undefined;
}

/** nodeSelector AND required node affinity (component-helpers nodeaffinity.GetRequiredNodeAffinity). */
export function matchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[key] !== value) return false;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  // Terms are ORed; an empty term matches nothing (v1helper.MatchNodeSelectorTerms).
  return terms.some((term) => termMatches(term, node));
}

function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of expressions) if (!requirementMatches(r, labels)) return false;
  // matchFields supports only metadata.name.
  for (const r of fields)
    if (r.key !== 'metadata.name' || !requirementMatches({ ...r, key: 'name' }, { name: node.metadata.name })) return false;
  return true;
}

/** One node selector requirement, with Gt/Lt comparing integers (labels.Requirement.Matches). */
export function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(value!);
    case 'NotIn':
      return !has || !values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1 || !/^-?\d+$/.test(value!) || !/^-?\d+$/.test(values[0]!)) return false;
      const left = BigInt(value!);
      const right = BigInt(values[0]!);
      return r.operator === 'Gt' ? left > right : left < right;
    }
    default:
      return false;
  }
}

/** Whether a toleration tolerates a taint (v1helper.ToleratesTaint). */
export function tolerates(toleration: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  // An empty key with Exists tolerates everything.
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/**
 * Picks a node for the pod: filters, then the feasible node with the fewest pods, ties broken by
 * name (kemu's stand-in for the scoring plugins: it spreads evenly and is deterministic).
 * Returns the node name, or the upstream FitError message ("0/3 nodes are available: …").
 */
export function pickNode(
  pod: Pod,
  nodes: readonly Node[],
  podCount: (node: string) => number,
): { node: string } | { message: string } {
  const reasons = new Map<string, number>();
  const feasible: Node[] = [];
  for (const node of nodes) {
    const reason = nodeUnfitReason(pod, node);
    if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    else feasible.push(node);
  }
  if (feasible.length === 0) {
    const parts = [...reasons].map(([reason, count]) => `${count} ${reason}`).sort();
    return { message: `0/${nodes.length} nodes are available: ${parts.join(', ')}.` };
  }
  feasible.sort((a, b) => podCount(a.metadata.name) - podCount(b.metadata.name) || (a.metadata.name < b.metadata.name ? -1 : 1));
  return { node: feasible[0]!.metadata.name };
}
