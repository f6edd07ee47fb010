// What a pod's stub resolver makes of a name, against the cluster DNS model: pure, no sockets.
// The pod's /etc/resolv.conf is the kubelet's for dnsPolicy ClusterFirst
// (pkg/kubelet/network/dns/dns.go: `search <ns>.svc.<zone> svc.<zone> <zone>`, `options ndots:5`,
// the cluster DNS as the only nameserver); the names are tried as glibc's res_nsearch tries them
// (resolv.conf(5)) and each is asked for A and AAAA, as getaddrinfo(AF_UNSPEC) does.
import type { IPFamily } from '@kemu/core';
import type { ClusterDns } from './cluster-dns.js';

/** What a pod's resolver makes of a name. */
export type PodNameResolution =
  /** An address: `name` is the fully qualified name that answered; `canonical` the in-zone CNAME target it led to. */
  | { kind: 'address'; ip: string; name: string; canonical?: string }
  /** An ExternalName Service: a CNAME out of the cluster zone, which only an upstream server would answer. */
  | { kind: 'external'; name: string; externalName: string }
  /** No name answered with an address; `noData` is the first that exists without one (NODATA). */
  | { kind: 'nxdomain'; tried: string[]; noData?: string };

/** Options of {@link resolvePodName}. */
export interface PodNameOptions {
  /** The pod's address family: its addresses are preferred (RFC 6724 rule 2, matching scope). Default IPv4. */
  family?: IPFamily;
  /**
   * Which of a name's address records the client takes, given how many there are. The client
   * uses the first; kubeadm's Corefile has `loadbalance`, which shuffles them per answer, so a
   * live lab passes a random pick. Default 0: the first record, in slice order (deterministic).
   */
  pick?: (records: number) => number;
}

/** CoreDNS follows at most 8 CNAMEs inside its zone (plugin/backend_lookup.go: `len(previousRecords) > 7`). */
const maxCnames = 8;

/**
 * Resolves `name` as a pod in `namespace` would: through its search path with ndots:5 (a trailing
 * dot: as given only), the first name with an address wins. A CNAME inside the cluster zone is
 * followed as CoreDNS does; one out of it (ExternalName) is reported, since kemu has no upstream.
 * @example
 * resolvePodName(dns, 'web.shop', 'default'); // { kind: 'address', ip: '10.96.0.20', name: 'web.shop.svc.cluster.local' }
 */
export function resolvePodName(
  dns: ClusterDns,
  name: string,
  namespace: string,
  options: PodNameOptions = {},
): PodNameResolution {
  const tried = dns.expandQuery(name, namespace);
  let noData: string | undefined;
  for (const candidate of tried) {
    const found = addressesOf(dns, candidate, options.family ?? 'IPv4', options.pick ?? first);
    if (found.kind === 'address') return { ...found, name: candidate };
    if (found.kind === 'external') return { kind: 'external', name: candidate, externalName: found.externalName };
    // res_nsearch goes on after NXDOMAIN and NODATA alike, and reports NODATA if it met one.
    if (found.kind === 'nodata') noData ??= candidate;
  }
  return noData === undefined ? { kind: 'nxdomain', tried } : { kind: 'nxdomain', tried, noData };
}

type Lookup =
  | { kind: 'address'; ip: string; canonical?: string }
  | { kind: 'external'; externalName: string }
  | { kind: 'nodata' }
  | { kind: 'nxdomain' };

const first = () => 0;

type Pick = (records: number) => number;

/** The A and AAAA answers for one fully qualified name, the pod's family first, CNAMEs in the zone followed. */
function addressesOf(dns: ClusterDns, fqdn: string, family: IPFamily, pick: Pick, depth = 0): Lookup {
  const types = family === 'IPv6' ? (['AAAA', 'A'] as const) : (['A', 'AAAA'] as const);
  for (const type of types) {
    const answer = dns.answer({ name: fqdn, type });
    // NXDOMAIN (or REFUSED, out of the zone) holds for every type at the name (RFC 8020).
    if (answer.rcode !== 'NOERROR') return { kind: 'nxdomain' };
    // CoreDNS orders a headless Service's endpoints by slice; `loadbalance` shuffles them.
    const addresses = answer.answers.filter((r) => r.type === type && typeof r.data === 'string');
    if (addresses.length > 0) {
      const chosen = addresses[Math.min(addresses.length - 1, Math.max(0, pick(addresses.length)))];
      return { kind: 'address', ip: chosen!.data as string };
    }
    const cname = answer.answers.find((r) => r.type === 'CNAME');
    if (cname && typeof cname.data === 'string') return followCname(dns, cname.data, family, pick, depth);
  }
  return { kind: 'nodata' };
}

function followCname(dns: ClusterDns, cname: string, family: IPFamily, pick: Pick, depth: number): Lookup {
  const target = cname.replace(/\.$/, '').toLowerCase();
  const inZone = target === dns.zone || target.endsWith(`.${dns.zone}`);
  if (!inZone) return { kind: 'external', externalName: target };
  if (depth + 1 >= maxCnames) return { kind: 'nodata' };
  const next = addressesOf(dns, target, family, pick, depth + 1);
  return next.kind === 'address' ? { ...next, canonical: next.canonical ?? target } : next;
}
