// What two answers mean for a client, reduced to comparable fields (for kemu migrate).
import type { RouteAnswer } from './request.js';

/** The client-visible essence of an answer. */
export interface AnswerSummary {
  /** `namespace/service:port` when a backend is reached. */
  backend?: string;
  status?: number;
  location?: string;
  /** Path and query the backend receives. */
  upstreamPath?: string;
}

/** Reduces an answer to what a client and the backend would observe. */
export function summarizeAnswer(answer: RouteAnswer): AnswerSummary {
  const o = answer.outcome;
  if (o.type === 'backend')
    return { backend: `${o.backend.namespace}/${o.backend.service}:${o.backend.port}`, upstreamPath: o.upstreamPath };
  return { status: o.status, ...(o.location ? { location: o.location } : {}) };
}

/** Field-by-field differences between two answers (empty when they agree). */
export function compareAnswers(a: RouteAnswer, b: RouteAnswer): { field: keyof AnswerSummary; a: unknown; b: unknown }[] {
  const sa = summarizeAnswer(a);
  const sb = summarizeAnswer(b);
  const fields: (keyof AnswerSummary)[] = ['backend', 'status', 'location', 'upstreamPath'];
  return fields.filter((f) => sa[f] !== sb[f]).map((f) => ({ field: f, a: sa[f], b: sb[f] }));
}
