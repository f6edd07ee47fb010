import type { ProbeRequest } from './corpus.js';

/** What a router does with a request: which backend receives which path, or which status. */
export interface RouteAnswer {
  /** `namespace/service:port` when proxied. */
  backend?: string;
  /** The path (and query) the backend receives after rewrites. */
  upstreamPath?: string;
  /** The status when the router answers itself (404, 503, 301, 308, …). */
  status?: number;
  /** Location of a redirect. */
  location?: string;
  /** Why: the rule that matched, and those that lost. */
  explanation: readonly string[];
}

/** A router as `migrate check` needs it: ask it about one request. */
export interface ProbeRouter {
  /** `outcome(answer(request))` without building the answer: what the comparison asks of every request. */
  outcome(request: ProbeRequest): string;
  /** The answer alone (no explanation); right after `outcome()` of the same request it reuses that routing. */
  answer(request: ProbeRequest): RouteAnswer;
  /** The answer with every rule considered and why it lost (asked only for differences). */
  explain(request: ProbeRequest): RouteAnswer;
}

/** One request whose answers differ. */
export interface Difference {
  request: ProbeRequest;
  old: RouteAnswer;
  new: RouteAnswer;
}

/** The result of comparing two routers over a corpus. */
export interface CheckResult {
  compared: number;
  differences: Difference[];
}

/** The comparable part of an answer: what the client and the backend would see. */
export function outcome(answer: Pick<RouteAnswer, 'backend' | 'upstreamPath' | 'status' | 'location'>): string {
  if (answer.backend) return `${answer.backend} ${answer.upstreamPath ?? ''}`;
  return `${answer.status ?? '?'}${answer.location ? ` → ${answer.location}` : ''}`;
}

/** Asks both routers about every request and keeps the ones whose outcomes differ (explained up to `explainLimit`). */
export function compareRouters(
  oldRouter: ProbeRouter,
  newRouter: ProbeRouter,
  corpus: readonly ProbeRequest[],
  explainLimit = 1000,
): CheckResult {
  const differences: Difference[] = [];
  for (const request of corpus) {
    if (oldRouter.outcome(request) === newRouter.outcome(request)) continue;
    // Explanations are costly: the first `explainLimit` differences get them, the rest their answers.
    const explain = differences.length < explainLimit;
    differences.push({
      request,
      old: explain ? oldRouter.explain(request) : oldRouter.answer(request),
      new: explain ? newRouter.explain(request) : newRouter.answer(request),
    });
  }
  return { compared: corpus.length, differences };
}

/** `GET https://host/path [x-canary=always] @0.42`: a request in one line. */
export function describeRequest(request: ProbeRequest): string {
  const headers = Object.entries(request.headers).map(([k, v]) => `${k}=${v}`);
  return `${request.method} ${request.scheme}://${request.host}${request.path}${headers.length ? ` [${headers.join(' ')}]` : ''}${request.weightSample > 0.001 ? ` @${request.weightSample.toFixed(3)}` : ''}`;
}

/** Differences that differ only in headers or weight draws, folded into one with a count. */
export function groupDifferences(differences: readonly Difference[]): { first: Difference; count: number }[] {
  const groups = new Map<string, { first: Difference; count: number }>();
  for (const d of differences) {
    const r = d.request;
    const key = `${r.method} ${r.scheme}://${r.host}${r.path} ${outcome(d.old)} ${outcome(d.new)}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { first: d, count: 1 });
  }
  return [...groups.values()];
}

/** Human form: each difference with both answers and both explanations side by side. */
export function formatCheckText(result: CheckResult, limit = 40): string {
  const lines: string[] = [];
  const groups = groupDifferences(result.differences);
  for (const { first: d, count } of groups.slice(0, limit)) {
    lines.push(
      `DIFFERENT ${describeRequest(d.request)}${count > 1 ? `  (and ${count - 1} more with other headers or weight draws)` : ''}`,
    );
    lines.push(`  old (ingress-nginx): ${outcome(d.old)}`);
    for (const why of d.old.explanation) lines.push(`      ${why}`);
    lines.push(`  new (Gateway API):   ${outcome(d.new)}`);
    for (const why of d.new.explanation) lines.push(`      ${why}`);
  }
  if (groups.length > limit) lines.push(`… and ${groups.length - limit} more kinds of difference (use -o json for all)`);
  lines.push(`${result.compared} requests compared, ${result.differences.length} routed differently`);
  return `${lines.join('\n')}\n`;
}

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: one test case per distinct request shape that differs, so CI shows each as a failure. */
export function formatCheckJUnit(result: CheckResult): string {
  const cases = result.differences.map((d) => {
    const message = `old: ${outcome(d.old)} / new: ${outcome(d.new)}`;
    const body = [
      `old (ingress-nginx): ${outcome(d.old)}`,
      ...d.old.explanation.map((w) => `  ${w}`),
      `new (Gateway API): ${outcome(d.new)}`,
      ...d.new.explanation.map((w) => `  ${w}`),
    ].join('\n');
    return `    <testcase classname="kemu.migrate.check" name="${xml(describeRequest(d.request))}"><failure message="${xml(message)}">${xml(body)}</failure></testcase>`;
  });
  const passed = result.compared - result.differences.length;
  if (passed > 0) cases.push(`    <testcase classname="kemu.migrate.check" name="${passed} requests routed the same"/>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${cases.length}" failures="${result.differences.length}">`,
    `  <testsuite name="kemu migrate check" tests="${cases.length}" failures="${result.differences.length}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
