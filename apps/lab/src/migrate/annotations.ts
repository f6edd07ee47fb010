// ingress-nginx annotations (docs/user-guide/nginx-configuration/annotations.md) and what Gateway
// API v1 can express of each. The converter handles the translatable ones itself; this table gives
// the verdict for the rest, so no annotation is ever dropped without a word.

/** The ingress-nginx annotation prefix. */
export const nginxPrefix = 'nginx.ingress.kubernetes.io/';

/** Annotations the converter translates itself (the conversion code reports them). */
export const translatedAnnotations = new Set([
  'rewrite-target',
  'use-regex',
  'app-root',
  'ssl-redirect',
  'force-ssl-redirect',
  'preserve-trailing-slash',
  'canary',
  'canary-weight',
  'canary-weight-total',
  'canary-by-header',
  'canary-by-header-value',
  'canary-by-cookie',
  'permanent-redirect',
  'permanent-redirect-code',
  'temporal-redirect',
  'temporal-redirect-code',
  'proxy-read-timeout',
  'proxy-send-timeout',
  'proxy-connect-timeout',
  'upstream-vhost',
  'x-forwarded-prefix',
  'backend-protocol',
]);

/** Why each known untranslatable annotation is refused. */
const refusals: Record<string, string> = {
  'whitelist-source-range':
    'Gateway API v1 has no client-address filter; enforce it with a NetworkPolicy or an implementation policy',
  'denylist-source-range': 'Gateway API v1 has no client-address filter',
  'proxy-body-size': 'Gateway API v1 has no request-size limit',
  affinity: 'cookie session affinity is only experimental in Gateway API (sessionPersistence); not part of v1',
  'affinity-mode': 'session affinity is not part of Gateway API v1',
  'affinity-canary-behavior': 'session affinity is not part of Gateway API v1',
  'session-cookie-name': 'session affinity is not part of Gateway API v1',
  'session-cookie-path': 'session affinity is not part of Gateway API v1',
  'session-cookie-max-age': 'session affinity is not part of Gateway API v1',
  'session-cookie-expires': 'session affinity is not part of Gateway API v1',
  'session-cookie-samesite': 'session affinity is not part of Gateway API v1',
  'canary-by-header-pattern':
    'a PCRE pattern on the canary header has no exact RegularExpression equivalent across implementations',
  'limit-rps': 'rate limiting is not part of Gateway API v1',
  'limit-rpm': 'rate limiting is not part of Gateway API v1',
  'limit-connections': 'connection limits are not part of Gateway API v1',
  'auth-type': 'authentication is not part of Gateway API v1 (ExternalAuth is experimental)',
  'auth-secret': 'authentication is not part of Gateway API v1',
  'auth-url': 'external auth is experimental in Gateway API, not v1',
  'enable-cors': 'the CORS filter is experimental in Gateway API, not v1',
  'ssl-passthrough': 'TLS passthrough needs a TLSRoute, not an HTTPRoute',
  'custom-http-errors': 'custom error pages are not part of Gateway API v1',
  'default-backend': 'a per-Ingress default backend service annotation has no HTTPRoute equivalent',
  'load-balance': 'load-balancing algorithms are implementation-specific',
  'upstream-hash-by': 'hash-based load balancing is implementation-specific',
  'proxy-buffering': 'proxy buffering is implementation-specific',
  'server-alias': 'add the alias to the route hostnames explicitly',
  'service-upstream': 'routing to the ClusterIP instead of endpoints is implementation-specific',
};

/** The verdict for an annotation the conversion code does not handle itself. */
export function verdictForOtherAnnotation(name: string): { verdict: 'translated' | 'refused'; detail: string } {
  if (!name.startsWith(nginxPrefix)) {
    if (name === 'kubernetes.io/ingress.class')
      return { verdict: 'translated', detail: 'class selection becomes the Gateway (gatewayClassName)' };
    return { verdict: 'translated', detail: 'not a routing annotation; copied to the HTTPRoute metadata' };
  }
  const short = name.slice(nginxPrefix.length);
  if (
    short.endsWith('-snippet') ||
    short === 'configuration-snippet' ||
    short === 'server-snippet' ||
    short === 'stream-snippet'
  ) {
    return { verdict: 'refused', detail: 'nginx configuration snippets are never translated: they can change anything' };
  }
  if (short.startsWith('cors-')) return { verdict: 'refused', detail: 'the CORS filter is experimental in Gateway API, not v1' };
  const reason = refusals[short];
  return { verdict: 'refused', detail: reason ?? 'no Gateway API v1 equivalent is known to kemu' };
}
