// Which HTTPRoute match of the selected listeners answers a request: among the routes whose
// matching hostname is the most specific (HTTPRoute spec.hostnames: "the most specific match
// takes precedence"), the first match in precedence order (rules.ts) that the request satisfies.
import type { Consideration, NormalizedRequest } from '../request.js';
import type { ServedListener } from './attach.js';
import { comparePrecedence, entryMatches, entryMismatch, hostnameScore, type MatchEntry } from './rules.js';

/** One served listener and the matches attached to it, in precedence order, with each route's hostnames there. */
export interface ListenerTable {
  listener: ServedListener;
  /** How explain() names it: `listener namespace/gateway/name (hostname)`. */
  label: string;
  entries: { entry: MatchEntry; hostnames: string[] }[];
  /** The contenders for the last host match() asked about (requests to one host tend to come together). */
  last?: { host: string; contenders: MatchEntry[] };
}

/** The chosen match, or undefined when none matches; `steps` (explain) records every entry and why. */
export function chooseMatch(
  tables: readonly ListenerTable[],
  request: NormalizedRequest,
  steps: Consideration[] | undefined,
): MatchEntry | undefined {
  if (steps) return chooseExplained(entriesOf(tables), request, steps);
  const contenders = tables.length === 1 ? tableContenders(tables[0] as ListenerTable, request.host) : undefined;
  for (const entry of contenders ?? contendersFor(entriesOf(tables), request.host))
    if (entryMatches(entry, request)) return entry;
  return undefined;
}

function entriesOf(tables: readonly ListenerTable[]): ListenerTable['entries'] {
  return tables.length === 1
    ? (tables[0] as ListenerTable).entries
    : tables.flatMap((t) => t.entries).sort((a, b) => comparePrecedence(a.entry, b.entry));
}

/** Each route's hostname specificity for `host` (`''` = no hostname matches), and the highest of them. */
function routeScores(entries: ListenerTable['entries'], host: string): { scores: Map<string, string>; top: string } {
  const scores = new Map<string, string>();
  let top = '';
  for (const { entry, hostnames } of entries) {
    if (scores.has(entry.routeKey)) continue;
    const s = hostnameScore(hostnames, host);
    const key = s ? `${String(s[0]).padStart(4, '0')}.${String(s[1]).padStart(4, '0')}` : '';
    scores.set(entry.routeKey, key);
    if (key > top) top = key;
  }
  return { scores, top };
}

/** The entries of the routes with the most specific matching hostname, in precedence order. */
function contendersFor(entries: ListenerTable['entries'], host: string): MatchEntry[] {
  const { scores, top } = routeScores(entries, host);
  const out: MatchEntry[] = [];
  for (const { entry } of entries) {
    const score = scores.get(entry.routeKey) ?? '';
    if (score !== '' && score === top) out.push(entry);
  }
  return out;
}

/** {@link contendersFor} one table, remembered for the last host. */
function tableContenders(table: ListenerTable, host: string): MatchEntry[] {
  if (table.last?.host !== host) table.last = { host, contenders: contendersFor(table.entries, host) };
  return table.last.contenders;
}

function chooseExplained(
  entries: ListenerTable['entries'],
  request: NormalizedRequest,
  steps: Consideration[],
): MatchEntry | undefined {
  const { scores, top } = routeScores(entries, request.host);
  let chosen: MatchEntry | undefined;
  for (const { entry } of entries) {
    const rule = `HTTPRoute/${entry.routeKey} rules[${entry.ruleIndex}].matches[${entry.matchIndex}]`;
    const score = scores.get(entry.routeKey) ?? '';
    if (score === '' || score !== top) {
      steps.push({
        rule,
        verdict: 'ignored',
        why: score === '' ? `no route hostname matches ${request.host}` : 'another route has a more specific matching hostname',
      });
      continue;
    }
    const why = entryMismatch(entry, request);
    if (why) steps.push({ rule, verdict: 'no-match', why });
    else if (chosen) steps.push({ rule, verdict: 'lost', why: 'matches, but a higher-precedence match came first' });
    else {
      steps.push({ rule, verdict: 'selected', why: 'highest precedence among matching rules' });
      chosen = entry;
    }
  }
  return chosen;
}
