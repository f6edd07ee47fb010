// Reading EndpointSlices into per-service-port endpoint lists, as pkg/proxy/endpointslicecache.go does.
import { type EndpointSlice, type IPFamily, serviceNameLabel, tryParseIP } from '@kemu/core';
import { iptablesEndpointChainName, joinHostPort, nftEndpointBase } from '../names.js';
import type { EndpointInfo, ServicePortInfo, TableWarning } from './types.js';

/** Slices labelled headless are filtered out by kube-proxy's informer. */
export const headlessLabel = 'service.kubernetes.io/headless';

/** `namespace/name` of the Service a slice belongs to, or undefined when it has none or is filtered out. */
export function sliceServiceKey(slice: EndpointSlice): string | undefined {
  if (slice.metadata.labels?.[headlessLabel] !== undefined) return undefined;
  return sliceOwnerKey(slice);
}

/**
 * `namespace/name` of the Service a slice belongs to, headless ones included: cluster DNS
 * (CoreDNS's kubernetes plugin) answers headless Services from exactly those slices.
 */
export function sliceOwnerKey(slice: EndpointSlice): string | undefined {
  const service = slice.metadata.labels?.[serviceNameLabel];
  if (service === undefined || service === '') return undefined;
  return `${slice.metadata.namespace ?? 'default'}/${service}`;
}

/** Compares `ip:port` strings the way Go's sort.Strings does (byte order, so 10.0.0.10 < 10.0.0.2). */
export function compareEndpointStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The endpoints of each port of one Service, keyed by `portName/PROTOCOL`, deduplicated by
 * `ip:port` and sorted by that string (endpointslicecache.go endpointInfoByServicePort +
 * addEndpoints). `slices` are all slices of the Service; order does not matter.
 */
export function readEndpoints(
  slices: readonly EndpointSlice[],
  family: IPFamily,
  warnings: TableWarning[] = [],
): Map<string, Map<string, RawEndpoint>> {
  const byPort = new Map<string, Map<string, RawEndpoint>>();
  const sorted = slices.length > 1 ? [...slices].sort(compareSliceNames) : slices;
  for (const slice of sorted) {
    if (slice.addressType !== family) continue;
    for (const port of slice.ports ?? []) {
      // "Ignoring port with nil name/port": an unnamed Service port is matched by name "".
      if (port.name === null || port.name === undefined) {
        warnings.push({ object: sliceObject(slice), message: 'port with nil name ignored (an unnamed port must be "")' });
        continue;
      }
      if (port.port === null || port.port === undefined || port.port === 0) {
        warnings.push({ object: sliceObject(slice), message: `port "${port.name}" has no port number: ignored` });
        continue;
      }
      const key = `${port.name}/${port.protocol ?? 'TCP'}`;
      let set = byPort.get(key);
      if (!set) {
        set = new Map();
        byPort.set(key, set);
      }
      for (const endpoint of slice.endpoints ?? []) {
        const address = endpoint.addresses?.[0];
        if (address === undefined) continue;
        const ip = tryParseIP(address);
        if (!ip || ip.family !== family) {
          warnings.push({
            object: sliceObject(slice),
            message: `address "${address}" is not an ${family} address: endpoint ignored`,
          });
          continue;
        }
        // Kubernetes-valid dotted IPv4 is already canonical; skip the costly re-format.
        const ipText = ip.family === 'IPv4' ? address : ip.toString();
        const raw: RawEndpoint = {
          ip: ipText,
          port: port.port,
          endpoint: joinHostPort(ipText, port.port),
          ready: endpoint.conditions?.ready ?? true,
          serving: endpoint.conditions?.serving ?? true,
          terminating: endpoint.conditions?.terminating ?? false,
          nodeName: endpoint.nodeName ?? '',
          zone: endpoint.zone ?? '',
          zoneHints: endpoint.hints?.forZones?.length ? new Set(endpoint.hints.forZones.map((h) => h.name)) : noHints,
          nodeHints: endpoint.hints?.forNodes?.length ? new Set(endpoint.hints.forNodes.map((h) => h.name)) : noHints,
          hostname: endpoint.hostname,
          podName:
            endpoint.targetRef?.kind === 'Pod' || endpoint.targetRef?.kind === undefined ? endpoint.targetRef?.name : undefined,
        };
        // A later copy replaces an earlier one unless it is terminating: a running pod that
        // reuses a terminating pod's IP wins (endpointslicecache.go addEndpoints).
        if (!set.has(raw.endpoint) || !raw.terminating) set.set(raw.endpoint, raw);
      }
    }
  }
  return byPort;
}

const noHints: ReadonlySet<string> = new Set();

/** How warnings name a slice (built only when there is something to warn about). */
function sliceObject(slice: EndpointSlice): string {
  return `EndpointSlice ${slice.metadata.namespace ?? 'default'}/${slice.metadata.name}`;
}

function compareSliceNames(a: EndpointSlice, b: EndpointSlice): number {
  return compareEndpointStrings(a.metadata.name, b.metadata.name);
}

/** An endpoint before it is tied to a service port (no chain names yet). */
export type RawEndpoint = Omit<EndpointInfo, 'chain' | 'nftBase'>;

/**
 * An endpoint of one service port. Chain names are hashed on first use: a model that only
 * routes, or renders one backend, does not pay for the other backend's SHA-256s.
 */
class PortEndpoint implements EndpointInfo {
  readonly ip: string;
  readonly port: number;
  readonly endpoint: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName: string;
  readonly zone: string;
  readonly zoneHints: ReadonlySet<string>;
  readonly nodeHints: ReadonlySet<string>;
  readonly hostname: string | undefined;
  readonly podName: string | undefined;
  private chainName: string | undefined;
  private nftName: string | undefined;

  constructor(
    raw: RawEndpoint,
    private readonly servicePort: ServicePortInfo,
  ) {
    this.ip = raw.ip;
    this.port = raw.port;
    this.endpoint = raw.endpoint;
    this.ready = raw.ready;
    this.serving = raw.serving;
    this.terminating = raw.terminating;
    this.nodeName = raw.nodeName;
    this.zone = raw.zone;
    this.zoneHints = raw.zoneHints;
    this.nodeHints = raw.nodeHints;
    this.hostname = raw.hostname;
    this.podName = raw.podName;
  }

  get chain(): string {
    const p = this.servicePort;
    this.chainName ??= iptablesEndpointChainName(p.nameString, p.protocol.toLowerCase(), this.endpoint);
    return this.chainName;
  }

  get nftBase(): string {
    const p = this.servicePort;
    this.nftName ??= nftEndpointBase(p.namespace, p.name, p.protocol.toLowerCase(), p.portName, this.ip, this.port);
    return this.nftName;
  }

  toJSON(): Omit<EndpointInfo, 'zoneHints' | 'nodeHints'> & { zoneHints: string[]; nodeHints: string[] } {
    return {
      ...this.fields(),
      chain: this.chain,
      nftBase: this.nftBase,
      zoneHints: [...this.zoneHints],
      nodeHints: [...this.nodeHints],
    };
  }

  private fields() {
    const { ip, port, endpoint, ready, serving, terminating, nodeName, zone, hostname, podName } = this;
    return { ip, port, endpoint, ready, serving, terminating, nodeName, zone, hostname, podName };
  }
}

/** The sorted endpoint list of one service port (chain names computed on demand). */
export function endpointsForPort(port: ServicePortInfo, byPort: Map<string, Map<string, RawEndpoint>>): EndpointInfo[] {
  const set = byPort.get(`${port.portName}/${port.protocol}`);
  if (!set) return [];
  const keys = [...set.keys()].sort(compareEndpointStrings);
  const endpoints: PortEndpoint[] = [];
  for (const key of keys) endpoints.push(new PortEndpoint(set.get(key) as RawEndpoint, port));
  return endpoints;
}
