// Names a pod gives its proxies, as its resolver would resolve them in a cluster: the kubelet's
// ClusterFirst resolv.conf (search <ns>.svc.cluster.local svc.cluster.local cluster.local,
// ndots:5) against CoreDNS's answers, over the Services and EndpointSlices kube-proxy follows.
import type { NameResolver } from '@kemu/cni/agent';
import { tryParseIP } from '@kemu/core';
import { ClusterDns, resolvePodName, type ServiceTable } from '@kemu/kube-proxy';

/**
 * The agents' name hook over a live service table: a Service name gives its ClusterIP (which the
 * ClusterIP hook then DNATs), a headless one a ready endpoint, a StatefulSet pod's hostname its IP.
 * @example
 * startNodeAgent({ node, resolveService, resolveName: clusterNameResolver(selection.table), ... });
 */
export function clusterNameResolver(table: ServiceTable): NameResolver {
  const dns = new ClusterDns(table);
  // kubeadm's Corefile has `loadbalance`: each answer lists a headless Service's endpoints shuffled.
  const pick = (records: number) => Math.floor(Math.random() * records);
  return (name, pod) => resolvePodName(dns, name, pod.namespace, { family: tryParseIP(pod.ip)?.family, pick });
}
