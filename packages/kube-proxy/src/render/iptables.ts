// Assembles per-service-port fragments into iptables-restore input, in the canonical order
// upstream's tests compare (proxier_test.go sortIPTablesRules): KUBE-NODEPORTS, KUBE-SERVICES,
// then the other chains alphabetically, each chain's rules together in write order. Real
// kube-proxy interleaves services in Go map order; this is that same text, sorted.
import type { ResolvedConfig } from '../config.js';
import type { IPTablesFragment } from './iptables-fragment.js';

/** Fixed filter rules after the services (KUBE-FORWARD, KUBE-FIREWALL). */
function fixedFilterRules(config: ResolvedConfig): { firewall: string[]; forward: string[] } {
  const mark = `${config.masqueradeMark}/${config.masqueradeMark}`;
  const firewall = config.localhostNodePorts
    ? [
        '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
      ]
    : [];
  const forward: string[] = [];
  if (!config.conntrackTCPLiberal) {
    forward.push(
      `-A KUBE-FORWARD -m conntrack --ctstate INVALID${config.nfacct ? ' -m nfacct --nfacct-name ct_state_invalid_dropped_pkts' : ''} -j DROP`,
    );
  }
  forward.push(
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  return { firewall, forward };
}

/** The last rule of nat KUBE-SERVICES (jump to KUBE-NODEPORTS for local destinations). */
function nodePortsJump(config: ResolvedConfig, ipv6: boolean): string {
  let destinations = '-m addrtype --dst-type LOCAL';
  if (ipv6) destinations += ' ! -d ::1/128';
  else if (!config.localhostNodePorts) destinations += ' ! -d 127.0.0.0/8';
  return `-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" ${destinations} -j KUBE-NODEPORTS`;
}

/** What a partial sync writes besides the top-level chains: changed service ports, stale chains. */
export interface PartialSync {
  /** Service-port keys whose chains are rewritten. */
  readonly services: ReadonlySet<string>;
  /** Chains to flush and delete (`-X`). */
  readonly deleted: readonly string[];
}

/** Both tables as text, plus counts. */
export interface IPTablesRuleset {
  readonly text: string;
  readonly filterRules: number;
  readonly natRules: number;
  readonly natChains: number;
}

/** Joins fragments (already in service order) into `*filter … COMMIT *nat … COMMIT`. */
export function assembleIPTables(
  fragments: Iterable<IPTablesFragment>,
  config: ResolvedConfig,
  ipv6 = false,
  partial?: PartialSync,
): IPTablesRuleset {
  const filterByChain: Record<string, string[]> = {
    'KUBE-NODEPORTS': [],
    'KUBE-SERVICES': [],
    'KUBE-EXTERNAL-SERVICES': [],
    'KUBE-PROXY-FIREWALL': [],
  };
  const natNodePorts: string[] = [];
  const natServices: string[] = [];
  // Chain name → rules, filled straight from each fragment's map (no [name, rules] pair per chain:
  // a 10k-Service cluster has 110k chains, and every short-lived pair is GC work).
  const byName = new Map<string, readonly string[]>();
  const addChain = (rules: readonly string[], name: string) => byName.set(name, rules);
  for (const f of fragments) {
    for (const rule of f.filterRules) filterByChain[ruleChain(rule)]?.push(rule);
    for (const rule of f.natTopRules) (rule.startsWith('-A KUBE-NODEPORTS ') ? natNodePorts : natServices).push(rule);
    // A partial sync rewrites only the changed Services' own chains (KEP-3453).
    if (!partial || partial.services.has(f.key)) f.natChains.forEach(addChain);
  }
  const mark = config.masqueradeMark;
  byName.set('KUBE-MARK-MASQ', [`-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`]);
  byName.set('KUBE-POSTROUTING', [
    `-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`,
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${config.randomFully ? ' --random-fully' : ''}`,
  ]);
  for (const name of partial?.deleted ?? []) byName.set(name, []);
  // Native string sort on the names alone is several times faster than a comparator over pairs.
  const names = [...byName.keys()].sort();
  natServices.push(nodePortsJump(config, ipv6));

  const { firewall, forward } = fixedFilterRules(config);
  const filterChains: [string, readonly string[]][] = [
    ['KUBE-NODEPORTS', filterByChain['KUBE-NODEPORTS'] as string[]],
    ['KUBE-SERVICES', filterByChain['KUBE-SERVICES'] as string[]],
    ['KUBE-EXTERNAL-SERVICES', filterByChain['KUBE-EXTERNAL-SERVICES'] as string[]],
    ...(config.localhostNodePorts ? ([['KUBE-FIREWALL', firewall]] as [string, string[]][]) : []),
    ['KUBE-FORWARD', forward],
    ['KUBE-PROXY-FIREWALL', filterByChain['KUBE-PROXY-FIREWALL'] as string[]],
  ];
  const out: string[] = ['*filter'];
  let filterRules = 0;
  for (const [name] of filterChains) out.push(`:${name} - [0:0]`);
  for (const [, rules] of filterChains) {
    filterRules += rules.length;
    for (const r of rules) out.push(r);
  }
  out.push('COMMIT', '*nat', ':KUBE-NODEPORTS - [0:0]', ':KUBE-SERVICES - [0:0]');
  // One join for all chain lines (110k in a 10k-Service cluster) instead of a string per chain.
  if (names.length > 0) out.push(`:${names.join(' - [0:0]\n:')} - [0:0]`);
  for (const r of natNodePorts) out.push(r);
  for (const r of natServices) out.push(r);
  let natRules = natNodePorts.length + natServices.length;
  for (const name of names) {
    const rules = byName.get(name) as readonly string[];
    natRules += rules.length;
    for (const r of rules) out.push(r);
  }
  // Stale chains: a chain line flushes them, -X deletes them (after every rule).
  for (const name of partial?.deleted ?? []) out.push(`-X ${name}`);
  out.push('COMMIT', '');
  return { text: out.join('\n'), filterRules, natRules, natChains: names.length + 2 };
}

function ruleChain(rule: string): string {
  return rule.slice(3, rule.indexOf(' ', 3));
}
