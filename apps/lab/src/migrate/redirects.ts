import type { HTTPRouteFilter, Ingress } from '@kemu/core';
import { nginxPrefix } from './annotations.js';
import type { ReportEntry } from './report.js';

/**
 * permanent-redirect / temporal-redirect: ingress-nginx answers every path of the Ingress with
 * `return <code> <url>` — the URL as written, without the request's path.
 */
export function redirectFilter(ingress: Ingress): HTTPRouteFilter | undefined {
  const annotations = ingress.metadata.annotations ?? {};
  const permanent = annotations[`${nginxPrefix}permanent-redirect`];
  const temporal = annotations[`${nginxPrefix}temporal-redirect`];
  const target = permanent ?? temporal;
  if (!target) return undefined;
  const code = Number(
    permanent
      ? (annotations[`${nginxPrefix}permanent-redirect-code`] ?? 301)
      : (annotations[`${nginxPrefix}temporal-redirect-code`] ?? 302),
  );
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.replace(':', '') as 'http' | 'https';
  return {
    type: 'RequestRedirect',
    requestRedirect: {
      scheme,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: { type: 'ReplaceFullPath', replaceFullPath: url.pathname || '/' },
      statusCode: ([301, 302, 303, 307, 308].includes(code) ? code : 301) as 301,
    },
  };
}

/** The report line for a redirect annotation. */
export function redirectVerdict(ingress: Ingress): ReportEntry {
  const annotations = ingress.metadata.annotations ?? {};
  const name = annotations[`${nginxPrefix}permanent-redirect`] ? 'permanent-redirect' : 'temporal-redirect';
  const target = annotations[`${nginxPrefix}${name}`]!;
  const url = URL.canParse(target) ? new URL(target) : undefined;
  const object = `Ingress/${ingress.metadata.namespace}/${ingress.metadata.name}`;
  if (!url) return { object, subject: `${nginxPrefix}${name}`, verdict: 'refused', detail: `"${target}" is not an absolute URL` };
  return {
    object,
    subject: `${nginxPrefix}${name}`,
    verdict: 'translated-with-difference',
    detail: `RequestRedirect to ${target}; nginx's \`return\` drops the request's query string, a Gateway redirect keeps it${url.search ? ", and the target's own query cannot be expressed" : ''}`,
  };
}
