// The ADD result in the version the config asks for (libcni types/100, types/040, types/020).

import type { IpAllocation } from '../ipam/allocator.js';
import type { RouteJSON } from '../ipam/config.js';
import { versionAtLeast } from '../ipam/config.js';

/** `dns` of a result (`types.DNS`): every field optional. */
export interface DnsJSON {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/** Turns resolv.conf text into `dns` as host-local's parseResolvConf does. */
export function parseResolvConf(text: string): DnsJSON {
  const dns: DnsJSON = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const fields = line.split(/\s+/);
    if (fields.length < 2) continue;
    const [key, ...rest] = fields as [string, ...string[]];
    if (key === 'nameserver') dns.nameservers = [...(dns.nameservers ?? []), rest[0]!];
    else if (key === 'domain') dns.domain = rest[0]!;
    else if (key === 'search') dns.search = [...(dns.search ?? []), ...rest];
    else if (key === 'options') dns.options = [...(dns.options ?? []), ...rest];
  }
  return dns;
}

const routeExtras1_1 = ['mtu', 'advmss', 'priority', 'table', 'scope'] as const;

function route(r: RouteJSON, version: string): Record<string, unknown> {
  const out: Record<string, unknown> = { dst: r.dst };
  if (r.gw) out.gw = r.gw;
  // CNI 1.1 adds these route fields; earlier versions drop them as libcni does.
  if (versionAtLeast(version, '1.1.0')) for (const k of routeExtras1_1) if (r[k] !== undefined) out[k] = r[k];
  return out;
}

/** Builds the IPAM result object for `version`. */
export function formatResult(
  version: string,
  ips: readonly IpAllocation[],
  routes: readonly RouteJSON[],
  dns: DnsJSON,
): Record<string, unknown> {
  if (!versionAtLeast(version, '0.3.0')) {
    // 0.1.0/0.2.0: one address per family under ip4/ip6, routes split by family.
    const out: Record<string, unknown> = { cniVersion: version };
    for (const [key, family] of [
      ['ip4', 'IPv4'],
      ['ip6', 'IPv6'],
    ] as const) {
      const a = ips.find((x) => x.ip.family === family);
      if (!a) continue;
      const fam = routes.filter((r) => r.dst.includes(':') === (family === 'IPv6')).map((r) => route(r, version));
      out[key] = { ip: `${a.ip}/${a.prefixLength}`, gateway: a.gateway.toString(), ...(fam.length ? { routes: fam } : {}) };
    }
    out.dns = dns;
    return out;
  }
  const withVersion = !versionAtLeast(version, '1.0.0');
  const out: Record<string, unknown> = {
    cniVersion: version,
    ips: ips.map((a) => ({
      ...(withVersion ? { version: a.ip.family === 'IPv4' ? '4' : '6' } : {}),
      address: `${a.ip}/${a.prefixLength}`,
      gateway: a.gateway.toString(),
    })),
  };
  if (routes.length > 0) out.routes = routes.map((r) => route(r, version));
  out.dns = dns;
  return out;
}
