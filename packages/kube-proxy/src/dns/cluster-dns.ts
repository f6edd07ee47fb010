// Cluster DNS answers as CoreDNS's kubernetes plugin gives them (coredns/plugin/kubernetes,
// https://github.com/kubernetes/dns/blob/master/docs/specification.md): pure, no sockets.
import { type EndpointSlice, type Service, tryParseIP } from '@kemu/core';
import type { ServiceTable } from '../table/table.js';

/** Record types this server answers. */
export type DnsType = 'A' | 'AAAA' | 'CNAME' | 'SRV' | 'SOA' | 'TXT' | 'PTR' | 'NS';

/** One resource record (data shaped as the `dns-packet` library takes it). */
export type DnsRecord =
  | { name: string; type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS'; ttl: number; data: string }
  | { name: string; type: 'TXT'; ttl: number; data: string }
  | { name: string; type: 'SRV'; ttl: number; data: { priority: number; weight: number; port: number; target: string } }
  | {
      name: string;
      type: 'SOA';
      ttl: number;
      data: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
    };

/** One question. */
export interface DnsQuestion {
  readonly name: string;
  readonly type: string;
}

/** The answer to one question. */
export interface DnsAnswer {
  /** NOERROR with no answers is NODATA. */
  readonly rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'NOTIMP' | 'FORMERR' | 'SERVFAIL';
  readonly authoritative: boolean;
  readonly answers: DnsRecord[];
  readonly authority: DnsRecord[];
  readonly additionals: DnsRecord[];
}

/** Options of {@link ClusterDns}. */
export interface ClusterDnsOptions {
  /** Cluster domain, default `cluster.local`. */
  readonly zone?: string;
  /** Record TTL, CoreDNS kubernetes plugin default 5. */
  readonly ttl?: number;
  /** SOA serial (CoreDNS uses the time of the last change; the model has no clock). Default 1. */
  readonly serial?: number;
}

interface Target {
  name: string;
  ip: string;
}

/** CoreDNS kubernetes-plugin answers for one cluster's Services, EndpointSlices and pods. */
export class ClusterDns {
  readonly zone: string;
  readonly ttl: number;
  readonly serial: number;

  constructor(
    private readonly table: ServiceTable,
    options: ClusterDnsOptions = {},
  ) {
    this.zone = (options.zone ?? 'cluster.local').replace(/\.$/, '').toLowerCase();
    this.ttl = options.ttl ?? 5;
    this.serial = options.serial ?? 1;
  }

  /** The search path a pod in `namespace` gets in /etc/resolv.conf (ClusterFirst), with ndots:5. */
  searchPath(namespace: string): string[] {
    return [`${namespace}.svc.${this.zone}`, `svc.${this.zone}`, this.zone];
  }

  /**
   * The names a resolver tries for `name` from a pod in `namespace` (resolv.conf rules: fewer
   * than 5 dots → search domains first, then the name as given; a trailing dot → as given only).
   */
  expandQuery(name: string, namespace: string): string[] {
    if (name.endsWith('.')) return [name.slice(0, -1)];
    const dots = name.split('.').length - 1;
    const searched = this.searchPath(namespace).map((d) => `${name}.${d}`);
    return dots >= 5 ? [name, ...searched] : [...searched, name];
  }

  /** The SOA record of the cluster zone (CoreDNS kubernetes plugin values). */
  soa(): DnsRecord {
    return {
      name: this.zone,
      type: 'SOA',
      ttl: this.ttl,
      data: {
        mname: `ns.dns.${this.zone}`,
        rname: `hostmaster.${this.zone}`,
        serial: this.serial,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.ttl,
      },
    };
  }

  /** Answers one question. */
  answer(question: DnsQuestion): DnsAnswer {
    const name = question.name.replace(/\.$/, '').toLowerCase();
    const type = question.type.toUpperCase();
    const reverse = name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa');
    if (!reverse && name !== this.zone && !name.endsWith(`.${this.zone}`)) {
      // No zone here serves it and nothing is forwarded off loopback.
      return { rcode: 'REFUSED', authoritative: false, answers: [], authority: [], additionals: [] };
    }
    const records = reverse ? this.reverse(name) : this.lookup(name);
    if (records === undefined) return this.negative('NXDOMAIN');
    if (type === 'ANY') return this.positive(records);
    const matching = records.filter((r) => r.type === type);
    const cname = records.find((r) => r.type === 'CNAME');
    if (matching.length === 0 && cname && type !== 'CNAME') return this.positive([cname]);
    if (matching.length === 0) return this.negative('NOERROR');
    const additionals: DnsRecord[] = [];
    if (type === 'SRV') {
      for (const r of matching) {
        if (r.type !== 'SRV') continue;
        for (const a of this.lookup(r.data.target) ?? []) if (a.type === 'A' || a.type === 'AAAA') additionals.push(a);
      }
    }
    return { rcode: 'NOERROR', authoritative: true, answers: matching, authority: [], additionals };
  }

  private positive(answers: DnsRecord[]): DnsAnswer {
    return { rcode: 'NOERROR', authoritative: true, answers, authority: [], additionals: [] };
  }

  private negative(rcode: 'NXDOMAIN' | 'NOERROR'): DnsAnswer {
    return { rcode, authoritative: true, answers: [], authority: [this.soa()], additionals: [] };
  }

  /** Every record at `name`, or undefined when the name does not exist (NXDOMAIN). */
  private lookup(name: string): DnsRecord[] | undefined {
    const z = this.zone;
    const rr = (type: 'A' | 'AAAA', ip: string): DnsRecord => ({ name, type, ttl: this.ttl, data: ip });
    if (name === z) return [this.soa(), { name, type: 'NS', ttl: this.ttl, data: `ns.dns.${z}` }];
    if (name === `dns-version.${z}`) return [{ name, type: 'TXT', ttl: this.ttl, data: '1.1.0' }];
    if (name === `ns.dns.${z}`) return [];
    if (name === `svc.${z}` || name === `pod.${z}`) return [];
    const labels = name.slice(0, -(z.length + 1)).split('.');
    const kind = labels[labels.length - 1];
    if (kind === 'pod' && labels.length === 3) {
      // pods insecure (the kubeadm Corefile): the address is read from the name itself.
      const ip = parseDashedIP(labels[0] as string);
      if (!ip) return undefined;
      return [rr(ip.includes(':') ? 'AAAA' : 'A', ip)];
    }
    if (kind === 'pod' && labels.length === 2) return this.hasNamespace(labels[0] as string) ? [] : undefined;
    if (kind !== 'svc') return undefined;
    if (labels.length === 2) return this.hasNamespace(labels[0] as string) ? [] : undefined;
    const namespace = labels[labels.length - 2] as string;
    const serviceName = labels[labels.length - 3] as string;
    const service = this.table.service(`${namespace}/${serviceName}`);
    if (!service) return undefined;
    const rest = labels.slice(0, -3);
    if (rest.length === 0) return this.serviceRecords(name, service);
    if (rest.length === 1) {
      // hostname.svc.ns.svc.zone: one endpoint of a headless Service.
      const target = this.endpointTargets(service).find((t) => t.name === rest[0]);
      return target ? [rr(target.ip.includes(':') ? 'AAAA' : 'A', target.ip)] : undefined;
    }
    if (rest.length === 2 && rest[0]?.startsWith('_') && rest[1]?.startsWith('_')) {
      const port = (service.spec.ports ?? []).find(
        (p) => p.name === rest[0]?.slice(1) && (p.protocol ?? 'TCP').toLowerCase() === rest[1]?.slice(1),
      );
      if (!port) return undefined;
      return this.srvRecords(name, service, port.name ?? '', port.port);
    }
    return undefined;
  }

  private hasNamespace(namespace: string): boolean {
    return this.table.services().some((s) => (s.metadata.namespace ?? 'default') === namespace);
  }

  private isHeadless(service: Service): boolean {
    return service.spec.clusterIP === 'None';
  }

  private serviceRecords(name: string, service: Service): DnsRecord[] {
    if (service.spec.type === 'ExternalName') {
      return [{ name, type: 'CNAME', ttl: this.ttl, data: (service.spec.externalName ?? '').replace(/\.$/, '') }];
    }
    const ips = this.isHeadless(service)
      ? this.endpointTargets(service).map((t) => t.ip)
      : (service.spec.clusterIPs?.length ? service.spec.clusterIPs : [service.spec.clusterIP ?? '']).filter((ip) =>
          tryParseIP(ip),
        );
    return [...new Set(ips)].map((ip) => ({
      name,
      type: ip.includes(':') ? ('AAAA' as const) : ('A' as const),
      ttl: this.ttl,
      data: ip,
    }));
  }

  private srvRecords(name: string, service: Service, portName: string, servicePort: number): DnsRecord[] {
    const base = `${service.metadata.name}.${service.metadata.namespace ?? 'default'}.svc.${this.zone}`;
    if (!this.isHeadless(service)) {
      return [{ name, type: 'SRV', ttl: this.ttl, data: { priority: 0, weight: 100, port: servicePort, target: base } }];
    }
    // Headless: one SRV per endpoint, its target the endpoint's hostname (or dashed IP); the
    // port is the endpoint's port of that name. CoreDNS splits weight 100 evenly.
    const targets = this.endpointTargets(service, portName);
    const weight = targets.length === 0 ? 0 : Math.floor(100 / targets.length);
    return targets.map((t) => ({
      name,
      type: 'SRV' as const,
      ttl: this.ttl,
      data: { priority: 0, weight, port: t.port ?? servicePort, target: `${t.name}.${base}` },
    }));
  }

  /** Endpoints of a (headless) Service: ready ones, or all with publishNotReadyAddresses. */
  private endpointTargets(service: Service, portName?: string): (Target & { port?: number })[] {
    const key = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
    const out: (Target & { port?: number })[] = [];
    const seen = new Set<string>();
    const slices: EndpointSlice[] = this.table.slicesOf(key).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    for (const slice of slices) {
      if (slice.addressType === 'FQDN') continue;
      const port =
        portName === undefined ? undefined : (slice.ports?.find((p) => (p.name ?? '') === portName)?.port ?? undefined);
      if (portName !== undefined && port === undefined) continue;
      for (const ep of slice.endpoints ?? []) {
        if (!(service.spec.publishNotReadyAddresses || (ep.conditions?.ready ?? true))) continue;
        const ip = ep.addresses?.[0];
        if (ip === undefined || !tryParseIP(ip) || seen.has(ip)) continue;
        seen.add(ip);
        out.push({ name: ep.hostname ?? ip.replaceAll('.', '-').replaceAll(':', '-'), ip, port: port ?? undefined });
      }
    }
    return out;
  }

  private reverse(name: string): DnsRecord[] | undefined {
    const ip = reverseToIP(name);
    if (!ip) return undefined;
    for (const service of this.table.services()) {
      const ips = service.spec.clusterIPs?.length ? service.spec.clusterIPs : [service.spec.clusterIP ?? ''];
      if (ips.some((x) => tryParseIP(x)?.toString() === ip)) {
        const target = `${service.metadata.name}.${service.metadata.namespace ?? 'default'}.svc.${this.zone}`;
        return [{ name, type: 'PTR', ttl: this.ttl, data: target }];
      }
    }
    return undefined;
  }
}

/** `10-244-1-5` → `10.244.1.5`; IPv6 `fd00--1` → `fd00::1`. */
function parseDashedIP(label: string): string | undefined {
  const v4 = tryParseIP(label.replaceAll('-', '.'));
  if (v4?.family === 'IPv4') return v4.toString();
  const v6 = tryParseIP(label.replaceAll('-', ':'));
  return v6?.family === 'IPv6' ? v6.toString() : undefined;
}

function reverseToIP(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    return parts.length === 4 ? tryParseIP(parts.reverse().join('.'))?.toString() : undefined;
  }
  const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
  if (nibbles.length !== 32) return undefined;
  const hex = nibbles.reverse().join('');
  return tryParseIP(hex.match(/.{4}/g)?.join(':') ?? '')?.toString();
}
