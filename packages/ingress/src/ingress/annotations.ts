// The ingress-nginx annotations kemu honours, parsed once per Ingress
// (docs/user-guide/nginx-configuration/annotations.md; parsers in internal/ingress/annotations/*).
import { type CIDR, type Ingress, tryParseCIDR } from '@kemu/core';
import type { CookieAffinity, UpstreamLimits } from '../request.js';

/** Canary settings of an Ingress with `canary: "true"` (annotations/canary/main.go). */
export interface CanaryConfig {
  header?: string;
  headerValue?: string;
  headerPattern?: RegExp;
  cookie?: string;
  weight: number;
  weightTotal: number;
}

/** A `return CODE URL` redirect location (permanent-redirect / temporal-redirect). */
export interface RedirectConfig {
  url: string;
  code: number;
}

/** Everything kemu reads from one Ingress's annotations. */
export interface IngressAnnotations {
  rewriteTarget?: string;
  useRegex: boolean;
  appRoot?: string;
  sslRedirect: boolean;
  forceSslRedirect: boolean;
  preserveTrailingSlash: boolean;
  xForwardedPrefix?: string;
  upstreamVhost?: string;
  canary?: CanaryConfig;
  affinity?: CookieAffinity;
  permanentRedirect?: RedirectConfig;
  temporalRedirect?: RedirectConfig;
  whitelist?: CIDR[];
  limits: UpstreamLimits;
}

/** A problem with one annotation value; the annotation is ignored, as ingress-nginx does. */
export interface AnnotationIssue {
  annotation: string;
  message: string;
}

/** ConfigMap defaults (docs/user-guide/nginx-configuration/configmap.md): 1m body, 5/60/60 s timeouts. */
export const defaultLimits: UpstreamLimits = {
  maxBodyBytes: 1024 * 1024,
  connectTimeoutMs: 5_000,
  readTimeoutMs: 60_000,
  sendTimeoutMs: 60_000,
};

/** Annotations of an Ingress that sets none. */
const defaultAnnotations: IngressAnnotations = Object.freeze({
  useRegex: false,
  sslRedirect: true,
  forceSslRedirect: false,
  preserveTrailingSlash: false,
  limits: Object.freeze({ ...defaultLimits }),
});

/** nginx size syntax: `8m`, `512k`, `1g`, bare bytes; `0` disables the check. */
export function parseNginxSize(value: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(value.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Number(m[1]) * scale;
}

/** Parses the annotations of one Ingress under `prefix` (default `nginx.ingress.kubernetes.io`). */
export function parseAnnotations(
  ingress: Ingress,
  prefix: string,
): { annotations: IngressAnnotations; issues: AnnotationIssue[] } {
  const all = ingress.metadata.annotations ?? {};
  // Most Ingresses carry none of these annotations: share one frozen default (fewer objects, warmer caches).
  if (!Object.keys(all).some((k) => k.startsWith(`${prefix}/`))) return { annotations: defaultAnnotations, issues: [] };
  const issues: AnnotationIssue[] = [];
  const get = (name: string): string | undefined => all[`${prefix}/${name}`];
  const bool = (name: string, fallback: boolean): boolean => {
    const v = get(name);
    if (v === undefined) return fallback;
    if (v === 'true' || v === 'false') return v === 'true';
    issues.push({ annotation: `${prefix}/${name}`, message: `expected "true" or "false", got "${v}"` });
    return fallback;
  };
  const int = (name: string, fallback: number): number => {
    const v = get(name);
    if (v === undefined) return fallback;
    if (/^\d+$/.test(v.trim())) return Number(v);
    issues.push({ annotation: `${prefix}/${name}`, message: `expected a whole number, got "${v}"` });
    return fallback;
  };

  const limits: UpstreamLimits = { ...defaultLimits };
  const bodySize = get('proxy-body-size');
  if (bodySize !== undefined) {
    const bytes = parseNginxSize(bodySize);
    if (bytes === undefined)
      issues.push({ annotation: `${prefix}/proxy-body-size`, message: `not an nginx size: "${bodySize}"` });
    else limits.maxBodyBytes = bytes;
  }
  limits.connectTimeoutMs = int('proxy-connect-timeout', 5) * 1000;
  limits.readTimeoutMs = int('proxy-read-timeout', 60) * 1000;
  limits.sendTimeoutMs = int('proxy-send-timeout', 60) * 1000;

  const annotations: IngressAnnotations = {
    useRegex: bool('use-regex', false),
    sslRedirect: bool('ssl-redirect', true),
    forceSslRedirect: bool('force-ssl-redirect', false),
    preserveTrailingSlash: bool('preserve-trailing-slash', false),
    limits,
  };
  const rewrite = get('rewrite-target');
  if (rewrite !== undefined && rewrite !== '') annotations.rewriteTarget = rewrite;
  const appRoot = get('app-root');
  if (appRoot !== undefined) {
    // annotations/rewrite: app-root must be an absolute path, else it is discarded.
    if (appRoot.startsWith('/')) annotations.appRoot = appRoot;
    else issues.push({ annotation: `${prefix}/app-root`, message: `must start with "/", got "${appRoot}"` });
  }
  const prefixHeader = get('x-forwarded-prefix');
  if (prefixHeader) annotations.xForwardedPrefix = prefixHeader;
  const vhost = get('upstream-vhost');
  if (vhost) annotations.upstreamVhost = vhost;

  const permanent = get('permanent-redirect');
  if (permanent) annotations.permanentRedirect = { url: permanent, code: redirectCode(get('permanent-redirect-code'), 301) };
  const temporal = get('temporal-redirect');
  if (temporal) annotations.temporalRedirect = { url: temporal, code: redirectCode(get('temporal-redirect-code'), 302) };

  const whitelist = get('whitelist-source-range') ?? get('allowlist-source-range');
  if (whitelist) {
    const cidrs: CIDR[] = [];
    for (const raw of whitelist
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const text = raw.includes('/') ? raw : raw.includes(':') ? `${raw}/128` : `${raw}/32`;
      const parsed = tryParseCIDR(text);
      if (typeof parsed === 'string')
        issues.push({ annotation: `${prefix}/whitelist-source-range`, message: `"${raw}": ${parsed}` });
      else cidrs.push(parsed);
    }
    annotations.whitelist = cidrs;
  }

  if (get('affinity') === 'cookie') {
    const maxAge = get('session-cookie-max-age');
    annotations.affinity = {
      cookieName: get('session-cookie-name') ?? 'INGRESSCOOKIE',
      path: get('session-cookie-path') ?? '',
      ...(maxAge && /^\d+$/.test(maxAge) ? { maxAgeSeconds: Number(maxAge) } : {}),
      ...(get('session-cookie-samesite') ? { sameSite: get('session-cookie-samesite') as string } : {}),
      mode: get('affinity-mode') === 'persistent' ? 'persistent' : 'balanced',
    };
  }

  if (bool('canary', false)) {
    const canary: CanaryConfig = { weight: int('canary-weight', 0), weightTotal: int('canary-weight-total', 100) };
    const header = get('canary-by-header');
    if (header) canary.header = header;
    const headerValue = get('canary-by-header-value');
    if (headerValue) canary.headerValue = headerValue;
    const pattern = get('canary-by-header-pattern');
    if (pattern && !headerValue) {
      try {
        canary.headerPattern = new RegExp(pattern);
      } catch (error) {
        issues.push({ annotation: `${prefix}/canary-by-header-pattern`, message: `invalid regex: ${(error as Error).message}` });
      }
    }
    const cookie = get('canary-by-cookie');
    if (cookie) canary.cookie = cookie;
    annotations.canary = canary;
  }
  return { annotations, issues };
}

function redirectCode(value: string | undefined, fallback: number): number {
  const code = Number(value);
  return Number.isInteger(code) && code >= 300 && code <= 308 ? code : fallback;
}

/** Whether the Ingress's paths need the host in regex mode (template.go enforceRegexModifier). */
export function forcesRegex(annotations: IngressAnnotations): boolean {
  return annotations.useRegex || annotations.rewriteTarget !== undefined;
}
