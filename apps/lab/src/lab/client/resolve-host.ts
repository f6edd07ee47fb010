// A URL's host as a pod would resolve it: an address as is, a name through the cluster DNS with
// the search path of the pod's /etc/resolv.conf (ClusterFirst). `kemu curl/trace --from` resolve
// here, with the same rules the pod's node agent applies to a name (@kemu/kube-proxy's
// resolvePodName) and the same model the lab's DNS server answers from, to show the address and
// to trace the model with it.
import { type KubernetesObject, tryParseIP } from '@kemu/core';
import { ClusterDns, resolvePodName, ServiceTable } from '@kemu/kube-proxy';
import { UnresolvedHostError } from '../errors.js';

/** How a host was resolved. */
export interface ResolvedHost {
  /** The host as written in the URL (brackets removed). */
  host: string;
  ip: string;
  /** `address` when the host is already one; `cluster-dns` when a name answered. */
  source: 'address' | 'cluster-dns';
  /** The fully qualified name that answered (cluster-dns only). */
  name?: string;
}

/** The host of a URL without IPv6 brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Resolves `host` for a pod in `namespace` from the cluster's Services and EndpointSlices
 * (CoreDNS kubernetes plugin answers; resolv.conf search `<ns>.svc.cluster.local svc.cluster.local
 * cluster.local`, ndots:5). Throws {@link UnresolvedHostError} when no name answers with an address.
 */
export function resolveHost(host: string, namespace: string, objects: readonly KubernetesObject[]): ResolvedHost {
  const literal = tryParseIP(host);
  if (literal) return { host, ip: literal.toString(), source: 'address' };
  const answer = resolvePodName(new ClusterDns(ServiceTable.from(objects)), host, namespace);
  if (answer.kind === 'address') return { host, ip: answer.ip, source: 'cluster-dns', name: answer.name };
  // An ExternalName Service answers a CNAME outside the cluster: kemu never leaves loopback.
  throw new UnresolvedHostError(host, answer.kind === 'nxdomain' ? answer.tried : [answer.name]);
}
