// The nftables ruleset for table `kube-proxy` (pkg/proxy/nftables/proxier.go setupNFTables and
// syncProxyRules), written as the `nft -f` transaction upstream's TestOverallNFTablesRules compares.
import { tryParseCIDR, tryParseIP } from '@kemu/core';
import type { ResolvedConfig } from '../config.js';
import { categorizeEndpoints } from '../table/categorize.js';
import type { ServiceTable } from '../table/table.js';
import type { EndpointInfo, ServicePortInfo } from '../table/types.js';

function baseRules(t: string, ipX: string, addrType: string, config: ResolvedConfig): string[] {
  const mark = config.masqueradeMark;
  const cidrs = config.serviceCIDRs.filter((c) => (ipX === 'ip6') === c.includes(':'));
  const lines = [
    `add table ${t} { comment "rules for kube-proxy" ; }`,
    `add set ${t} cluster-ips { type ${addrType} ; comment "Active ClusterIPs" ; }`,
    `add set ${t} nodeport-ips { type ${addrType} ; comment "IPs that accept NodePort traffic" ; }`,
    `add map ${t} firewall-ips { type ${addrType} . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
    `add map ${t} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
    `add map ${t} no-endpoint-services { type ${addrType} . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${t} service-ips { type ${addrType} . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${t} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
    `add chain ${t} cluster-ips-check`,
    `add chain ${t} filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }`,
    `add chain ${t} filter-output-pre-dnat { type filter hook output priority -110 ; }`,
    `add chain ${t} filter-forward { type filter hook forward priority 0 ; }`,
    `add chain ${t} filter-input { type filter hook input priority 0 ; }`,
    `add chain ${t} filter-output { type filter hook output priority 0 ; }`,
    `add chain ${t} firewall-check`,
    `add chain ${t} mark-for-masquerade`,
    `add chain ${t} masquerading`,
    `add chain ${t} nat-output { type nat hook output priority -100 ; }`,
    `add chain ${t} nat-postrouting { type nat hook postrouting priority 100 ; }`,
    `add chain ${t} nat-prerouting { type nat hook prerouting priority -100 ; }`,
    `add chain ${t} nodeport-endpoints-check`,
    `add chain ${t} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`,
    `add chain ${t} services`,
    `add chain ${t} service-endpoints-check`,
    `add rule ${t} cluster-ips-check ${ipX} daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"`,
  ];
  if (cidrs.length > 0) {
    lines.push(
      `add rule ${t} cluster-ips-check ${ipX} daddr { ${cidrs.join(', ')} } drop comment "Drop traffic to unallocated ClusterIPs"`,
    );
  }
  lines.push(
    `add rule ${t} filter-prerouting-pre-dnat ct state new jump firewall-check`,
    `add rule ${t} filter-forward ct state new jump service-endpoints-check`,
    `add rule ${t} filter-forward ct state new jump cluster-ips-check`,
    `add rule ${t} filter-input ct state new jump nodeport-endpoints-check`,
    `add rule ${t} filter-input ct state new jump service-endpoints-check`,
    `add rule ${t} filter-output ct state new jump service-endpoints-check`,
    `add rule ${t} filter-output-pre-dnat ct state new jump firewall-check`,
    `add rule ${t} filter-output ct state new jump cluster-ips-check`,
    `add rule ${t} firewall-check ${ipX} daddr . meta l4proto . th dport vmap @firewall-ips`,
    `add rule ${t} mark-for-masquerade mark set mark or ${mark}`,
    `add rule ${t} masquerading mark and ${mark} == 0 return`,
    `add rule ${t} masquerading mark set mark xor ${mark}`,
    `add rule ${t} masquerading masquerade fully-random`,
    `add rule ${t} nat-output jump services`,
    `add rule ${t} nat-postrouting jump masquerading`,
    `add rule ${t} nat-prerouting jump services`,
    `add rule ${t} nodeport-endpoints-check ${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`,
    `add rule ${t} reject-chain reject`,
    `add rule ${t} services ${ipX} daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ${t} services ${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`,
  );
  if (config.nodeIP !== undefined) lines.push(`add element ${t} nodeport-ips { ${config.nodeIP} }`);
  lines.push(`add rule ${t} service-endpoints-check ${ipX} daddr . meta l4proto . th dport vmap @no-endpoint-services`);
  return lines;
}

/** The whole transaction: base chains, maps and sets, then one block per service port. */
export function renderNFTables(table: ServiceTable, config: ResolvedConfig): string {
  const ipv6 = table.family === 'IPv6';
  const t = `${ipv6 ? 'ip6' : 'ip'} kube-proxy`;
  const ipX = ipv6 ? 'ip6' : 'ip';
  const addrType = ipv6 ? 'ipv6_addr' : 'ipv4_addr';
  const out = baseRules(t, ipX, addrType, config);
  for (const port of table.servicePorts()) {
    out.push('', `# ${port.nameString}`, ...servicePortBlock(t, ipX, addrType, port, table.endpoints(port.key), config));
  }
  out.push('');
  return out.join('\n');
}

/** The lines one service port contributes (upstream syncProxyRules per-service loop). */
export function servicePortBlock(
  t: string,
  ipX: string,
  addrType: string,
  port: ServicePortInfo,
  endpoints: readonly EndpointInfo[],
  config: ResolvedConfig,
): string[] {
  const c = categorizeEndpoints(endpoints, port, config.topology);
  const p = port.protocol.toLowerCase();
  const spn = port.nameString;
  const clusterChain = `service-${port.nftBase}`;
  const localChain = `local-${port.nftBase}`;
  const externalChain = `external-${port.nftBase}`;
  const fwChain = `firewall-${port.nftBase}`;
  const epChain = (ep: EndpointInfo) => `endpoint-${ep.nftBase}`;
  const affinitySet = (ep: EndpointInfo) => `affinity-${ep.nftBase}`;
  const hasEndpoints = c.hasAnyEndpoints;
  const usesCluster = c.clusterEndpoints.length > 0 && port.usesClusterEndpoints;
  const usesLocal = c.localEndpoints.length > 0 && port.usesLocalEndpoints;
  let internalChain = clusterChain;
  let hasInternal = hasEndpoints;
  if (port.internalPolicyLocal) {
    internalChain = localChain;
    if (c.localEndpoints.length === 0) hasInternal = false;
  }
  let externalPolicyChain = clusterChain;
  let hasExternal = hasEndpoints;
  if (port.externalPolicyLocal) {
    externalPolicyChain = localChain;
    if (c.localEndpoints.length === 0) hasExternal = false;
  }
  const usesExternal = hasEndpoints && port.externallyAccessible;
  const usesFW = port.loadBalancerVIPs.length > 0 && port.loadBalancerSourceRanges.length > 0;
  let internalVerdict = '';
  let externalVerdict = '';
  if (!hasEndpoints) internalVerdict = externalVerdict = 'goto reject-chain';
  else {
    if (!hasInternal) internalVerdict = 'drop';
    if (!hasExternal) externalVerdict = 'drop';
  }

  const chains: string[] = [];
  const elements: string[] = [];
  const noEndpoint: string[] = [];
  const key = (ip: string) => `${ip} . ${p} . ${port.port}`;
  const comment = `comment "${spn}"`;
  elements.push(`add element ${t} cluster-ips { ${port.clusterIP} }`);
  if (hasInternal) elements.push(`add element ${t} service-ips { ${key(port.clusterIP)} : goto ${internalChain} }`);
  else noEndpoint.push(`add element ${t} no-endpoint-services { ${key(port.clusterIP)} ${comment} : ${internalVerdict} }`);
  for (const ip of port.externalIPs) {
    if (hasEndpoints) elements.push(`add element ${t} service-ips { ${key(ip)} : goto ${externalChain} }`);
    if (!hasExternal) noEndpoint.push(`add element ${t} no-endpoint-services { ${key(ip)} ${comment} : ${externalVerdict} }`);
  }
  for (const ip of port.loadBalancerVIPs) {
    if (hasEndpoints) elements.push(`add element ${t} service-ips { ${key(ip)} : goto ${externalChain} }`);
    if (usesFW) elements.push(`add element ${t} firewall-ips { ${key(ip)} : goto ${fwChain} }`);
  }
  if (!hasExternal) {
    for (const ip of port.loadBalancerVIPs) {
      noEndpoint.push(`add element ${t} no-endpoint-services { ${key(ip)} ${comment} : ${externalVerdict} }`);
    }
  }
  if (port.nodePort !== 0) {
    if (hasEndpoints) elements.push(`add element ${t} service-nodeports { ${p} . ${port.nodePort} : goto ${externalChain} }`);
    if (!hasExternal) {
      noEndpoint.push(`add element ${t} no-endpoint-nodeports { ${p} . ${port.nodePort} ${comment} : ${externalVerdict} }`);
    }
  }

  if (port.sessionAffinity) {
    for (const ep of c.allReachable) {
      chains.push(
        `add set ${t} ${affinitySet(ep)} { type ${addrType} ; flags dynamic,timeout ; timeout ${port.sessionAffinity.timeoutSeconds}s ; }`,
      );
    }
  }
  const rule = (chain: string, text: string) => chains.push(`add rule ${t} ${chain} ${text}`);
  const writeLB = (chain: string, eps: readonly EndpointInfo[]) => {
    chains.push(`add chain ${t} ${chain}`);
    if (chain === internalChain && hasInternal) {
      const local = config.clusterCIDR?.toString();
      if (config.masqueradeAll) rule(chain, `${ipX} daddr ${port.clusterIP} jump mark-for-masquerade`);
      else if (local) rule(chain, `${ipX} daddr ${port.clusterIP} ${ipX} saddr != ${local} jump mark-for-masquerade`);
    }
    if (port.sessionAffinity) for (const ep of eps) rule(chain, `${ipX} saddr @${affinitySet(ep)} goto ${epChain(ep)}`);
    const vmap = eps.map((ep, i) => `${i} : goto ${epChain(ep)}`).join(' , ');
    rule(chain, `numgen random mod ${eps.length} vmap { ${vmap} }`);
  };
  if (usesCluster) writeLB(clusterChain, c.clusterEndpoints);
  if (usesLocal) writeLB(localChain, c.localEndpoints);
  if (usesExternal) {
    chains.push(`add chain ${t} ${externalChain}`);
    if (!port.externalPolicyLocal) rule(externalChain, 'jump mark-for-masquerade');
    else {
      const local = config.clusterCIDR?.toString();
      if (local) rule(externalChain, `${ipX} saddr ${local} goto ${clusterChain} comment "short-circuit pod traffic"`);
      rule(externalChain, 'fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"');
      rule(externalChain, `fib saddr type local goto ${clusterChain} comment "short-circuit local traffic"`);
    }
    if (hasExternal) rule(externalChain, `goto ${externalPolicyChain}`);
  }
  if (usesFW) {
    const sources = [...port.loadBalancerSourceRanges];
    // Requests from this node to a VIP loop back with the VIP as source; allow them too.
    const node = config.nodeIP === undefined ? undefined : tryParseIP(config.nodeIP);
    const fromNode =
      node !== undefined &&
      sources.some((cidr) => {
        const parsed = tryParseCIDR(cidr);
        return typeof parsed !== 'string' && parsed.contains(node);
      });
    if (fromNode) sources.push(...port.loadBalancerVIPs);
    chains.push(`add chain ${t} ${fwChain}`);
    rule(fwChain, `${ipX} saddr != { ${sources.join(', ')} } drop`);
  }
  for (const ep of c.allReachable) {
    const chain = epChain(ep);
    chains.push(`add chain ${t} ${chain}`);
    rule(chain, `${ipX} saddr ${ep.ip} jump mark-for-masquerade`);
    if (port.sessionAffinity) rule(chain, `update @${affinitySet(ep)} { ${ipX} saddr }`);
    rule(chain, `meta l4proto ${p} dnat to ${ep.endpoint}`);
  }
  return [...chains, ...elements, ...noEndpoint];
}
