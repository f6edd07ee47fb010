import type { HTTPBackendRef, HTTPRouteMatch, HTTPRouteRule, Ingress } from '@kemu/core';
import { nginxPrefix } from './annotations.js';
import type { ReportEntry } from './report.js';

/** A canary Ingress's backend for one host+path, with its annotations. */
export interface CanaryBackend {
  ingress: Ingress;
  backend: HTTPBackendRef;
}

const annotation = (ingress: Ingress, name: string) => ingress.metadata.annotations?.[`${nginxPrefix}${name}`];
const refOf = (ingress: Ingress) => `Ingress/${ingress.metadata.namespace}/${ingress.metadata.name}`;

/**
 * The rules that reproduce ingress-nginx canary routing for one path (docs/examples/canary and
 * annotations.md#canary): header, then cookie, then weight. `always`/`never` (or the exact
 * header value) pick a side; anything else falls through to the weighted rule. Gateway API's
 * precedence (more header matches win on equal paths) gives the same order.
 */
export function canaryRules(
  match: HTTPRouteMatch,
  main: HTTPBackendRef,
  canary: CanaryBackend,
  base: Omit<HTTPRouteRule, 'matches' | 'backendRefs'>,
  report: ReportEntry[],
): HTTPRouteRule[] {
  const object = refOf(canary.ingress);
  const rules: HTTPRouteRule[] = [];
  // Every rule gets its own copy: rules must not share objects (YAML output would alias them).
  const copy = <T>(value: T): T => structuredClone(value);
  const withHeader = (name: string, value: string, type: 'Exact' | 'RegularExpression' = 'Exact'): HTTPRouteMatch => ({
    ...copy(match),
    headers: [...(match.headers ?? []), { type, name, value }],
  });
  const header = annotation(canary.ingress, 'canary-by-header');
  const headerValue = annotation(canary.ingress, 'canary-by-header-value');
  if (header && headerValue) {
    rules.push({ ...copy(base), matches: [withHeader(header, headerValue)], backendRefs: [canary.backend] });
    report.push({
      object,
      subject: `${nginxPrefix}canary-by-header-value`,
      verdict: 'translated',
      detail: `header ${header}: ${headerValue} → a rule matching that header, backend ${canary.backend.name}`,
    });
  } else if (header) {
    rules.push({ ...copy(base), matches: [withHeader(header, 'always')], backendRefs: [canary.backend] });
    rules.push({ ...copy(base), matches: [withHeader(header, 'never')], backendRefs: [main] });
  }
  if (header) {
    report.push({
      object,
      subject: `${nginxPrefix}canary-by-header`,
      verdict: 'translated',
      detail: `header ${header} → header-match rules ahead of the weighted rule`,
    });
  }
  const cookie = annotation(canary.ingress, 'canary-by-cookie');
  if (cookie) {
    const cookieMatch = (value: string) =>
      withHeader('cookie', `(^|.*;\\s*)${cookie.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=${value}(;.*|$)`, 'RegularExpression');
    rules.push({ ...copy(base), matches: [cookieMatch('always')], backendRefs: [canary.backend] });
    rules.push({ ...copy(base), matches: [cookieMatch('never')], backendRefs: [main] });
    report.push({
      object,
      subject: `${nginxPrefix}canary-by-cookie`,
      verdict: 'translated-with-difference',
      detail: `cookie ${cookie} → a RegularExpression match on the Cookie header; a request carrying both the canary header and the cookie is decided by the header in ingress-nginx but may tie here (RegularExpression header matching is implementation-specific)`,
    });
  }
  const weight = Number(annotation(canary.ingress, 'canary-weight') ?? '0');
  const total = Number(annotation(canary.ingress, 'canary-weight-total') ?? '100');
  // The canary first: ingress-nginx sends the lowest draws to the canary (math.random(total) <= weight),
  // and Gateway weights are walked in backendRefs order, so the same draw lands on the same side.
  const backends: HTTPBackendRef[] =
    weight > 0
      ? [
          { ...canary.backend, weight },
          { ...main, weight: Math.max(0, total - weight) },
        ]
      : [main];
  rules.push({ ...copy(base), matches: [copy(match)], backendRefs: backends });
  if (annotation(canary.ingress, 'canary-weight') !== undefined) {
    report.push({
      object,
      subject: `${nginxPrefix}canary-weight`,
      verdict: 'translated',
      detail: `${weight} of ${total} → backendRefs weights ${weight} (canary first) and ${total - weight}`,
    });
  }
  return rules;
}
