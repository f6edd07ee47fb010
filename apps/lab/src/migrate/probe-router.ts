// A router as `migrate check` asks it (check.ts ProbeRouter). The check asks both routers about
// hundreds of thousands of requests and builds answers only for those routed differently, so the
// adapter keeps what repeats: one normalization per request for both routers, one routing per
// request for outcome() and answer(), one name per backend, one explanation per message.
import {
  type BackendRef,
  type HTTPRequest,
  type RouteAnswer as IngressAnswer,
  type IngressRouter,
  type NormalizedRequest,
  normalizeRequest,
} from '@kemu/ingress';
import { outcome, type ProbeRouter, type RouteAnswer } from './check.js';
import type { ProbeRequest } from './corpus.js';

/** What a router of `@kemu/ingress` offers the check (both IngressRouter and GatewayRouter do). */
export type ModelRouter = Pick<IngressRouter, 'matchNormalized' | 'explain'>;

/** The request as the routers take it. */
const httpRequest = (r: ProbeRequest): HTTPRequest => ({
  method: r.method,
  host: r.host,
  path: r.path,
  headers: r.headers,
  scheme: r.scheme,
  random: r.weightSample,
});

/** Normalizes a request once for the routers asked about it in turn (the last one is kept). */
export function sharedNormalizer(): (r: ProbeRequest) => NormalizedRequest {
  let lastRequest: ProbeRequest | undefined;
  let lastNormalized: NormalizedRequest | undefined;
  return (r) => {
    if (r !== lastRequest || !lastNormalized) {
      lastNormalized = normalizeRequest(httpRequest(r));
      lastRequest = r;
    }
    return lastNormalized;
  };
}

/**
 * `namespace/service:port` with the port as a number (`normalizePort`), one string per backend:
 * answers in a row usually carry the same backend object (a planned location or rule).
 */
function backendNames(normalizePort: (backend: string) => string): (backend: BackendRef) => string {
  const names = new Map<string, string>();
  let lastBackend: BackendRef | undefined;
  let lastName = '';
  return (backend) => {
    if (backend === lastBackend) return lastName;
    const { namespace, service, port } = backend;
    const raw = `${namespace}/${service}:${port}`;
    let name = names.get(raw);
    if (name === undefined) {
      name = normalizePort(raw);
      names.set(raw, name);
    }
    lastBackend = backend;
    lastName = name;
    return name;
  };
}

/**
 * The explanation of a match() answer (no steps), one frozen array per reason and message:
 * differences repeat them (the same 404 for every path of a host), and each would be kept apart.
 */
function summaryLines(): (answer: IngressAnswer) => readonly string[] {
  const byReason = new Map<string, Map<string, readonly string[]>>();
  // Differences in a row often share their message (every path of a host without a listener):
  // comparing it with the last one is cheaper than hashing a message built for this answer.
  let last: { reason: string; message: string; lines: readonly string[] } | undefined;
  return ({ reason, message }) => {
    if (last && message === last.message && reason === last.reason) return last.lines;
    let byMessage = byReason.get(reason);
    if (!byMessage) {
      byMessage = new Map();
      byReason.set(reason, byMessage);
    }
    let lines = byMessage.get(message);
    if (!lines) {
      lines = Object.freeze([`${reason}: ${message}`]);
      byMessage.set(message, lines);
    }
    last = { reason, message, lines };
    return lines;
  };
}

/** The answer's first line and the rules that won or lost (at most 5), for an explain() answer. */
function explainedLines(answer: IngressAnswer): string[] {
  const lines = [`${answer.reason}: ${answer.message}`];
  for (const c of answer.explanation)
    if ((c.verdict === 'selected' || c.verdict === 'lost') && lines.length <= 5) lines.push(`${c.verdict} ${c.rule}: ${c.why}`);
  return lines;
}

/** Adapts one router; `normalized` is shared with the other router of the check. */
export function probeRouter(
  router: ModelRouter,
  normalizePort: (backend: string) => string,
  normalized: (r: ProbeRequest) => NormalizedRequest,
): ProbeRouter {
  const backendOf = backendNames(normalizePort);
  const summaryLine = summaryLines();
  const convert = (answer: IngressAnswer): RouteAnswer => {
    const explanation = answer.explanation.length ? explainedLines(answer) : summaryLine(answer);
    const o = answer.outcome;
    return o.type === 'backend'
      ? { backend: backendOf(o.backend), upstreamPath: o.upstreamPath, explanation }
      : { status: o.status, location: o.location || undefined, explanation };
  };
  // The last request routed: answer() right after outcome() converts it instead of routing again.
  let lastRequest: ProbeRequest | undefined;
  let lastAnswer: IngressAnswer | undefined;
  const match = (r: ProbeRequest): IngressAnswer => {
    if (r !== lastRequest || !lastAnswer) {
      lastAnswer = router.matchNormalized(normalized(r));
      lastRequest = r;
    }
    return lastAnswer;
  };
  return {
    outcome: (r) => {
      const o = match(r).outcome;
      return o.type === 'backend'
        ? outcome({ backend: backendOf(o.backend), upstreamPath: o.upstreamPath })
        : outcome({ status: o.status, location: o.location });
    },
    answer: (r) => convert(match(r)),
    explain: (r) => convert(router.explain(httpRequest(r))),
  };
}
