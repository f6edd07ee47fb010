// Host validation and wildcard rules. Ingress `*.foo.com` covers exactly one label
// (ingress-nginx renders `^[\w-]+\.foo\.com$`); Gateway API wildcards cover one or more labels.
import { checkDNS1123Subdomain } from '@kemu/core';

/** Why a rule host is invalid (what the API server's validation would say), or undefined when valid. */
export function invalidHost(host: string): string | undefined {
  if (host.includes(':')) return 'must not contain a port (the Host header port is ignored when matching)';
  if (host !== host.toLowerCase()) return 'must be lower case (a DNS-1123 subdomain)';
  if (/^\d+(\.\d+){3}$/.test(host)) return 'must be a DNS name, not an IP address';
  const name = host.startsWith('*.') ? host.slice(2) : host;
  if (name.includes('*')) return 'a wildcard must be the whole first label ("*.example.com")';
  const errors = checkDNS1123Subdomain(name);
  return errors.length > 0 ? errors.join('; ') : undefined;
}

/** The parent domain of a host's first label: `a.b.c` → `b.c`, `localhost` → undefined. */
export function parentDomain(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot < 0 ? undefined : host.slice(dot + 1);
}

/** Ingress wildcard: `*.foo.com` matches `bar.foo.com` only (one label of [A-Za-z0-9_-]). */
export function ingressWildcardMatches(wildcard: string, host: string): boolean {
  const suffix = wildcard.slice(1);
  if (!host.endsWith(suffix)) return false;
  return /^[\w-]+$/.test(host.slice(0, host.length - suffix.length));
}

/** Gateway API wildcard: `*.foo.com` matches any host with one or more labels before `.foo.com`. */
export function gatewayWildcardMatches(wildcard: string, host: string): boolean {
  const suffix = wildcard.slice(1);
  return host.length > suffix.length && host.endsWith(suffix);
}

/** Whether a Gateway API hostname (exact or wildcard, undefined = any) matches a request host. */
export function gatewayHostnameMatches(hostname: string | undefined, host: string): boolean {
  if (!hostname) return true;
  return hostname.startsWith('*.') ? gatewayWildcardMatches(hostname, host) : hostname === host;
}
