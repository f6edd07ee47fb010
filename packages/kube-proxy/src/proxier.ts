// A kube-proxy for one node: the service table, the rules it would program, and partial syncs
// (KEP-3453): a change recomputes only the Service it touches and reports the chains that changed
// and the UDP conntrack entries it made stale.
import type { EndpointSlice, KubernetesObject, Service } from '@kemu/core';
import { type ProxierConfig, type ResolvedConfig, resolveConfig } from './config.js';
import { type StaleConntrackEntry, staleConntrackEntries } from './conntrack/cleanup.js';
import { assembleIPTables, type IPTablesRuleset } from './render/iptables.js';
import { type IPTablesFragment, iptablesFragment } from './render/iptables-fragment.js';
import { toIPTablesSave } from './render/iptables-save.js';
import { renderIPVS } from './render/ipvs.js';
import { renderNFTables } from './render/nftables.js';
import { ServiceTable, type ServiceTableOptions } from './table/table.js';

/** One watch event the proxier consumes. */
export type ProxyChange =
  | { readonly type: 'upsert'; readonly object: Service | EndpointSlice }
  | { readonly type: 'delete'; readonly object: Service | EndpointSlice };

/** What one partial sync did. */
export interface SyncResult {
  /** `namespace/name` of the Service whose rules were recomputed (undefined: the change touched none). */
  readonly service: string | undefined;
  /** Service-port keys recomputed. */
  readonly recomputed: readonly string[];
  /** iptables chains whose rules changed (created, flushed or rewritten), sorted. */
  readonly changedChains: readonly string[];
  /** Chains that no longer exist (kube-proxy writes `-X` for them). */
  readonly deletedChains: readonly string[];
  /** True when the large-cluster threshold was crossed and every fragment was rebuilt (comments change). */
  readonly fullSync: boolean;
  /** UDP conntrack entries this change made stale, for the data plane to delete (conntrack/cleanup.ts). */
  readonly staleConntrack: readonly StaleConntrackEntry[];
}

/**
 * The kube-proxy of one node.
 * @example
 * const proxier = Proxier.from(parseManifestsOrThrow(yaml), { nodeName: 'node-1', clusterCIDR: '10.244.0.0/16' });
 * proxier.iptables().text; // iptables-restore input
 */
export class Proxier {
  readonly config: ResolvedConfig;
  private readonly fragments = new Map<string, IPTablesFragment>();
  private largeCluster = false;
  private readonly dirty = new Set<string>();
  private readonly stale = new Set<string>();
  private needFullSync = true;

  constructor(
    readonly table: ServiceTable,
    config: ProxierConfig,
  ) {
    this.config = resolveConfig(config, table.family);
    this.rebuildAll();
  }

  /** A proxier over the Services and EndpointSlices in `objects`. */
  static from(objects: readonly KubernetesObject[], config: ProxierConfig, options: ServiceTableOptions = {}): Proxier {
    return new Proxier(ServiceTable.from(objects, options), config);
  }

  /** Whether comments are left off (more than `largeClusterThreshold` endpoints). */
  get largeClusterMode(): boolean {
    return this.largeCluster;
  }

  /** The fragment (rules) of one service port. */
  fragment(key: string): IPTablesFragment | undefined {
    return this.fragments.get(key);
  }

  /** iptables-restore input for the filter and nat tables, as upstream's tests compare it. */
  iptables(): IPTablesRuleset {
    return assembleIPTables(
      this.table.keys().map((k) => this.fragments.get(k) as IPTablesFragment),
      this.config,
      this.table.family === 'IPv6',
    );
  }

  /**
   * The iptables-restore input of the next sync, as kube-proxy writes it with
   * MinimizeIPTablesRestore: the first sync (and one after a large-cluster switch) is full; later
   * ones rewrite every top-level chain but only the chains of Services changed since the last
   * call, and delete stale chains with `-X`. Calling it marks the changes as synced.
   */
  syncIPTables(): IPTablesRuleset {
    const fragments = this.table.keys().map((k) => this.fragments.get(k) as IPTablesFragment);
    const ipv6 = this.table.family === 'IPv6';
    const result = this.needFullSync
      ? assembleIPTables(fragments, this.config, ipv6)
      : assembleIPTables(fragments, this.config, ipv6, { services: this.dirty, deleted: [...this.stale].sort() });
    this.needFullSync = false;
    this.dirty.clear();
    this.stale.clear();
    return result;
  }

  /** The same rules the way `iptables-save` prints them back from the kernel. */
  iptablesSave(): string {
    return toIPTablesSave(this.iptables().text, this.table.family === 'IPv6');
  }

  /** The nftables transaction (`nft -f` input) for table `kube-proxy`. */
  nftables(): string {
    return renderNFTables(this.table, this.config);
  }

  /** The IPVS virtual servers as `ipvsadm -Ln` prints them. */
  ipvs(scheduler = 'rr'): string {
    return renderIPVS(this.table, this.config, scheduler);
  }

  /**
   * The health-check node ports this node serves (LoadBalancer + externalTrafficPolicy Local):
   * 200 when the Service has a local ready endpoint, else 503 (pkg/proxy/healthcheck).
   */
  healthChecks(): { servicePort: string; healthCheckNodePort: number; localEndpoints: number; status: 200 | 503 }[] {
    const out: { servicePort: string; healthCheckNodePort: number; localEndpoints: number; status: 200 | 503 }[] = [];
    for (const port of this.table.servicePorts()) {
      if (port.healthCheckNodePort === 0) continue;
      const local = this.table
        .endpoints(port.key)
        .filter((ep) => ep.ready && this.config.nodeName !== '' && ep.nodeName === this.config.nodeName).length;
      out.push({
        servicePort: port.nameString,
        healthCheckNodePort: port.healthCheckNodePort,
        localEndpoints: local,
        status: local > 0 ? 200 : 503,
      });
    }
    return out;
  }

  /** Applies one Service / EndpointSlice change and recomputes only the Service it touches. */
  apply(change: ProxyChange): SyncResult {
    const object = change.object;
    const serviceKey =
      object.kind === 'Service'
        ? `${object.metadata.namespace ?? 'default'}/${object.metadata.name}`
        : this.sliceService(object as EndpointSlice);
    const previous = serviceKey === undefined ? [] : this.table.portStates(serviceKey);
    const before = previous.map((s) => s.port.key);
    const oldFragments = before.map((k) => this.fragments.get(k)).filter((f): f is IPTablesFragment => f !== undefined);
    if (object.kind === 'Service') {
      if (change.type === 'upsert') this.table.upsertService(object as Service);
      else this.table.deleteService(object.metadata.namespace ?? 'default', object.metadata.name);
    } else if (change.type === 'upsert') this.table.upsertSlice(object as EndpointSlice);
    else this.table.deleteSlice(object as EndpointSlice);
    if (serviceKey === undefined) {
      return { service: undefined, recomputed: [], changedChains: [], deletedChains: [], fullSync: false, staleConntrack: [] };
    }
    const staleConntrack = staleConntrackEntries(previous, this.table.portStates(serviceKey));
    if (this.table.totalEndpoints > this.config.largeClusterThreshold !== this.largeCluster) {
      this.rebuildAll();
      return {
        service: serviceKey,
        recomputed: this.table.keys(),
        changedChains: [],
        deletedChains: [],
        fullSync: true,
        staleConntrack,
      };
    }
    for (const key of before) this.fragments.delete(key);
    const after = this.table.portsOf(serviceKey);
    const newFragments = after.map((port) => {
      const f = iptablesFragment(port, this.table.endpoints(port.key), this.config, this.largeCluster);
      this.fragments.set(port.key, f);
      return f;
    });
    const { changed, deleted } = diffFragments(oldFragments, newFragments);
    for (const port of after) this.dirty.add(port.key);
    for (const chain of deleted) this.stale.add(chain);
    for (const chain of changed) this.stale.delete(chain);
    return {
      service: serviceKey,
      recomputed: after.map((p) => p.key),
      changedChains: changed,
      deletedChains: deleted,
      fullSync: false,
      staleConntrack,
    };
  }

  private sliceService(slice: EndpointSlice): string | undefined {
    const name = slice.metadata.labels?.['kubernetes.io/service-name'];
    return name ? `${slice.metadata.namespace ?? 'default'}/${name}` : undefined;
  }

  private rebuildAll(): void {
    this.needFullSync = true;
    this.largeCluster = this.table.totalEndpoints > this.config.largeClusterThreshold;
    this.fragments.clear();
    for (const port of this.table.servicePorts()) {
      this.fragments.set(port.key, iptablesFragment(port, this.table.endpoints(port.key), this.config, this.largeCluster));
    }
  }
}

function chainsOf(fragments: readonly IPTablesFragment[]): Map<string, string> {
  const chains = new Map<string, string>();
  const add = (chain: string, rule: string) => chains.set(chain, `${chains.get(chain) ?? ''}${rule}\n`);
  for (const f of fragments) {
    for (const [name, rules] of f.natChains) chains.set(name, rules.join('\n'));
    for (const rule of f.natTopRules) add(`nat/${rule.slice(3, rule.indexOf(' ', 3))}`, rule);
    for (const rule of f.filterRules) add(`filter/${rule.slice(3, rule.indexOf(' ', 3))}`, rule);
  }
  return chains;
}

/** Chains whose rules differ between two fragment sets (top-level chains prefixed with their table). */
function diffFragments(
  before: readonly IPTablesFragment[],
  after: readonly IPTablesFragment[],
): { changed: string[]; deleted: string[] } {
  const a = chainsOf(before);
  const b = chainsOf(after);
  const changed = new Set<string>();
  const deleted: string[] = [];
  for (const [name, rules] of b) if (a.get(name) !== rules) changed.add(name.replace(/^(nat|filter)\//, ''));
  for (const name of a.keys()) {
    if (b.has(name)) continue;
    if (name.startsWith('nat/') || name.startsWith('filter/')) changed.add(name.replace(/^(nat|filter)\//, ''));
    else deleted.push(name);
  }
  return { changed: [...changed].sort(), deleted: deleted.sort() };
}
