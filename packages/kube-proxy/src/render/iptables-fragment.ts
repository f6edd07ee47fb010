// The rules one service port contributes, written in the order of pkg/proxy/iptables/proxier.go
// syncProxyRules (the per-service loop) and writeServiceToEndpointRules.
import { tryParseCIDR, tryParseIP } from '@kemu/core';
import type { ResolvedConfig } from '../config.js';
import { type Categorized, categorizeEndpoints } from '../table/categorize.js';
import type { EndpointInfo, ServicePortInfo } from '../table/types.js';

/** What one service port writes into the filter and nat tables. */
export interface IPTablesFragment {
  readonly key: string;
  /** Rules (`-A CHAIN …`) for the shared filter chains, in write order. */
  readonly filterRules: readonly string[];
  /** Rules for the shared nat chains (KUBE-SERVICES, KUBE-NODEPORTS), in write order. */
  readonly natTopRules: readonly string[];
  /** This service port's own nat chains (SVC/SVL/EXT/FW/SEP) with their rules. */
  readonly natChains: ReadonlyMap<string, readonly string[]>;
  readonly categorized: Categorized;
}

const probabilities: string[] = [];

/** Go `%0.10f` of 1/n (upstream precomputes these too: precomputedProbabilities). */
export function probability(n: number): string {
  let text = probabilities[n];
  if (text === undefined) {
    text = (1 / n).toFixed(10);
    if (n < 10_000) probabilities[n] = text;
  }
  return text;
}

const statisticMatches: string[] = [];

/** ` -m statistic --mode random --probability 1/n`, kept per n: every Service repeats the same few. */
function statisticMatch(n: number): string {
  let text = statisticMatches[n];
  if (text === undefined) {
    text = [' -m statistic --mode random --probability ', probability(n)].join('');
    if (n < 10_000) statisticMatches[n] = text;
  }
  return text;
}

const q = (text: string) => `"${text}"`;

// The helpers below are module functions rather than closures inside iptablesFragment: a render
// calls it once per service port (10k+), and tsx/esbuild's keepNames wraps every closure it
// creates in a `__name` defineProperty call.

/** The rule list of `name` in `chains`, created on first use (chains keep their write order). */
function chainRules(chains: Map<string, string[]>, name: string): string[] {
  let rules = chains.get(name);
  if (!rules) {
    rules = [];
    chains.set(name, rules);
  }
  return rules;
}

/** `-m tcp -p tcp -d IP --dport PORT` (`p` is the lower-case protocol). */
function dstMatch(p: string, ip: string, portNumber: number): string {
  return `-m ${p} -p ${p} -d ${ip} --dport ${portNumber}`;
}

/** Builds the fragment of one service port for this node. `largeCluster` drops SEP comments. */
export function iptablesFragment(
  port: ServicePortInfo,
  endpoints: readonly EndpointInfo[],
  config: ResolvedConfig,
  largeCluster: boolean,
): IPTablesFragment {
  const c = categorizeEndpoints(endpoints, port, config.topology);
  const p = port.protocol.toLowerCase();
  const spn = port.nameString;
  const filterRules: string[] = [];
  const natTopRules: string[] = [];
  const natChains = new Map<string, string[]>();
  const { cluster: clusterPolicyChain, local: localPolicyChain, external: externalTrafficChain, firewall: fwChain } = port.chains;
  const hasEndpoints = c.hasAnyEndpoints;
  const usesClusterPolicyChain = c.clusterEndpoints.length > 0 && port.usesClusterEndpoints;
  const usesLocalPolicyChain = c.localEndpoints.length > 0 && port.usesLocalEndpoints;
  let internalTrafficChain = clusterPolicyChain;
  let hasInternalEndpoints = hasEndpoints;
  if (port.internalPolicyLocal) {
    internalTrafficChain = localPolicyChain;
    if (c.localEndpoints.length === 0) hasInternalEndpoints = false;
  }
  let externalPolicyChain = clusterPolicyChain;
  let hasExternalEndpoints = hasEndpoints;
  if (port.externalPolicyLocal) {
    externalPolicyChain = localPolicyChain;
    if (c.localEndpoints.length === 0) hasExternalEndpoints = false;
  }
  const usesExternalTrafficChain = hasEndpoints && port.externallyAccessible;
  const usesFWChain = hasEndpoints && port.loadBalancerVIPs.length > 0 && port.loadBalancerSourceRanges.length > 0;
  const loadBalancerTrafficChain = usesFWChain ? fwChain : externalTrafficChain;

  let internalFilterTarget = '';
  let internalFilterComment = '';
  let externalFilterTarget = '';
  let externalFilterComment = '';
  if (!hasEndpoints) {
    internalFilterTarget = externalFilterTarget = 'REJECT';
    internalFilterComment = externalFilterComment = q(`${spn} has no endpoints`);
  } else {
    if (!hasInternalEndpoints) {
      internalFilterTarget = 'DROP';
      internalFilterComment = q(`${spn} has no local endpoints`);
    }
    if (!hasExternalEndpoints) {
      externalFilterTarget = 'DROP';
      externalFilterComment = q(`${spn} has no local endpoints`);
    }
  }

  // The ClusterIP match is in both rules every Service with endpoints writes; built with join like
  // the endpoint rules below, so neither rule is a rope of a dozen pieces kept for the next sync.
  const clusterIPArgs = ['-m comment --comment "', spn, ' cluster IP" ', dstMatch(p, port.clusterIP, port.port)].join('');
  if (hasInternalEndpoints) {
    natTopRules.push(['-A KUBE-SERVICES ', clusterIPArgs, ' -j ', internalTrafficChain].join(''));
  } else {
    filterRules.push(
      `-A KUBE-SERVICES -m comment --comment ${internalFilterComment} ${dstMatch(p, port.clusterIP, port.port)} -j ${internalFilterTarget}`,
    );
  }
  for (const ip of port.externalIPs) {
    if (hasEndpoints) {
      natTopRules.push(
        `-A KUBE-SERVICES -m comment --comment ${q(`${spn} external IP`)} ${dstMatch(p, ip, port.port)} -j ${externalTrafficChain}`,
      );
    }
    if (!hasExternalEndpoints) {
      filterRules.push(
        `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalFilterComment} ${dstMatch(p, ip, port.port)} -j ${externalFilterTarget}`,
      );
    }
  }
  for (const ip of port.loadBalancerVIPs) {
    if (hasEndpoints) {
      natTopRules.push(
        `-A KUBE-SERVICES -m comment --comment ${q(`${spn} loadbalancer IP`)} ${dstMatch(p, ip, port.port)} -j ${loadBalancerTrafficChain}`,
      );
    }
    if (usesFWChain) {
      filterRules.push(
        `-A KUBE-PROXY-FIREWALL -m comment --comment ${q(`${spn} traffic not accepted by ${fwChain}`)} ${dstMatch(p, ip, port.port)} -j DROP`,
      );
    }
  }
  if (!hasExternalEndpoints) {
    for (const ip of port.loadBalancerVIPs) {
      filterRules.push(
        `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalFilterComment} ${dstMatch(p, ip, port.port)} -j ${externalFilterTarget}`,
      );
    }
  }
  if (port.nodePort !== 0) {
    if (hasEndpoints) {
      // Localhost NodePorts are counted by an nfacct rule matched first (IPv4 only).
      if (config.localhostNodePorts && config.nfacct) {
        natTopRules.push(
          `-A KUBE-NODEPORTS -m comment --comment ${spn} -m ${p} -p ${p} -d 127.0.0.0/8 --dport ${port.nodePort} -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ${externalTrafficChain}`,
        );
      }
      natTopRules.push(
        `-A KUBE-NODEPORTS -m comment --comment ${spn} -m ${p} -p ${p} --dport ${port.nodePort} -j ${externalTrafficChain}`,
      );
    }
    if (!hasExternalEndpoints) {
      filterRules.push(
        `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalFilterComment} -m addrtype --dst-type LOCAL -m ${p} -p ${p} --dport ${port.nodePort} -j ${externalFilterTarget}`,
      );
    }
  }
  if (port.healthCheckNodePort !== 0) {
    // Written whether or not local endpoints exist.
    filterRules.push(
      `-A KUBE-NODEPORTS -m comment --comment ${q(`${spn} health check node port`)} -m tcp -p tcp --dport ${port.healthCheckNodePort} -j ACCEPT`,
    );
  }

  const local = config.clusterCIDR?.toString();
  if (hasInternalEndpoints) {
    const rules = chainRules(natChains, internalTrafficChain);
    if (config.masqueradeAll) rules.push(['-A ', internalTrafficChain, ' ', clusterIPArgs, ' -j KUBE-MARK-MASQ'].join(''));
    else if (local) rules.push(['-A ', internalTrafficChain, ' ', clusterIPArgs, ' ! -s ', local, ' -j KUBE-MARK-MASQ'].join(''));
  }
  if (usesExternalTrafficChain) {
    const ext = chainRules(natChains, externalTrafficChain);
    if (!port.externalPolicyLocal) {
      ext.push(
        `-A ${externalTrafficChain} -m comment --comment ${q(`masquerade traffic for ${spn} external destinations`)} -j KUBE-MARK-MASQ`,
      );
    } else {
      if (local) {
        ext.push(
          `-A ${externalTrafficChain} -m comment --comment ${q(`pod traffic for ${spn} external destinations`)} -s ${local} -j ${clusterPolicyChain}`,
        );
      }
      ext.push(
        `-A ${externalTrafficChain} -m comment --comment ${q(`masquerade LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
        `-A ${externalTrafficChain} -m comment --comment ${q(`route LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j ${clusterPolicyChain}`,
      );
    }
    if (hasExternalEndpoints) ext.push(`-A ${externalTrafficChain} -j ${externalPolicyChain}`);
  }
  if (usesFWChain) {
    const fw = chainRules(natChains, fwChain);
    const args = `-A ${fwChain} -m comment --comment ${q(`${spn} loadbalancer IP`)}`;
    let allowFromNode = false;
    for (const cidr of port.loadBalancerSourceRanges) {
      fw.push(`${args} -s ${cidr} -j ${externalTrafficChain}`);
      if (config.nodeIP !== undefined && cidrContains(cidr, config.nodeIP)) allowFromNode = true;
    }
    if (allowFromNode) for (const ip of port.loadBalancerVIPs) fw.push(`${args} -s ${ip} -j ${externalTrafficChain}`);
    fw.push(`-A ${fwChain} -m comment --comment ${q(`other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL`)}`);
  }
  if (usesClusterPolicyChain)
    writeServiceToEndpointRules(
      chainRules(natChains, clusterPolicyChain),
      port,
      clusterPolicyChain,
      c.clusterEndpoints,
      largeCluster,
    );
  if (usesLocalPolicyChain)
    writeServiceToEndpointRules(chainRules(natChains, localPolicyChain), port, localPolicyChain, c.localEndpoints, largeCluster);
  // The per-endpoint rules are most of a big ruleset: built with Array#join, which yields flat
  // strings (template literals build ropes that the final join must flatten, about twice the cost).
  const comment = largeCluster ? '' : ` -m comment --comment ${spn}`;
  const dnat = [' -m ', p, ' -p ', p, ' -j DNAT --to-destination '].join('');
  for (const ep of c.allReachable) {
    const sep = ep.chain;
    const recent = port.sessionAffinity ? [' -m recent --name ', sep, ' --set'].join('') : '';
    // Each SEP chain is new here (one per reachable endpoint, deduplicated by ip:port), so it
    // gets an exact-size array: growing an empty one by push reserves 16 slots, ~11 MB in 100k.
    natChains.set(sep, [
      ['-A ', sep, comment, ' -s ', ep.ip, ' -j KUBE-MARK-MASQ'].join(''),
      ['-A ', sep, comment, recent, dnat, ep.endpoint].join(''),
    ]);
  }
  return { key: port.key, filterRules, natTopRules, natChains, categorized: c };
}

function writeServiceToEndpointRules(
  out: string[],
  port: ServicePortInfo,
  svcChain: string,
  endpoints: readonly EndpointInfo[],
  largeCluster: boolean,
): void {
  if (port.sessionAffinity) {
    const seconds = port.sessionAffinity.timeoutSeconds;
    for (const ep of endpoints) {
      out.push(
        [
          '-A ',
          svcChain,
          endpointComment(port, ep, largeCluster),
          ' -m recent --name ',
          ep.chain,
          ' --rcheck --seconds ',
          seconds,
          ' --reap -j ',
          ep.chain,
        ].join(''),
      );
    }
  }
  const n = endpoints.length;
  for (let i = 0; i < n; i++) {
    const ep = endpoints[i] as EndpointInfo;
    const statistic = i < n - 1 ? statisticMatch(n - i) : '';
    out.push(['-A ', svcChain, endpointComment(port, ep, largeCluster), statistic, ' -j ', ep.chain].join(''));
  }
}

/** ` -m comment --comment "ns/svc:port -> ip:port"`, left off in large-cluster mode. */
function endpointComment(port: ServicePortInfo, ep: EndpointInfo, largeCluster: boolean): string {
  return largeCluster ? '' : [' -m comment --comment "', port.nameString, ' -> ', ep.endpoint, '"'].join('');
}

function cidrContains(cidr: string, ip: string): boolean {
  const parsedIP = tryParseIP(ip);
  const parsedCIDR = tryParseCIDR(cidr);
  return parsedIP !== undefined && typeof parsedCIDR !== 'string' && parsedCIDR.contains(parsedIP);
}
