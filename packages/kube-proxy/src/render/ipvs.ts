// The IPVS view of pkg/proxy/ipvs/proxier.go, printed as `ipvsadm -Ln` prints it
// (ipvsadm.c print_service_entry / print_title; real servers with weight 1, Masq forwarding).
import type { ResolvedConfig } from '../config.js';
import { InvalidOptionError } from '../errors.js';
import { joinHostPort } from '../names.js';
import { categorizeEndpoints } from '../table/categorize.js';
import type { ServiceTable } from '../table/table.js';
import type { EndpointInfo } from '../table/types.js';

/** Kernel IPVS schedulers kube-proxy accepts (`--ipvs-scheduler`). */
export const ipvsSchedulers = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq', 'mh'] as const;

/** One IPVS virtual server and its real servers. */
export interface VirtualServer {
  readonly protocol: string;
  readonly address: string;
  readonly port: number;
  readonly scheduler: string;
  /** `persistent` timeout (ClientIP affinity), seconds. */
  readonly persistent: number | undefined;
  readonly realServers: readonly EndpointInfo[];
  /** What this virtual server stands for (cluster IP, node port on IP, …). */
  readonly kind: 'clusterIP' | 'externalIP' | 'loadBalancer' | 'nodePort';
  readonly servicePort: string;
}

/** Every virtual server the IPVS proxier would create on this node. */
export function ipvsVirtualServers(table: ServiceTable, config: ResolvedConfig, scheduler = 'rr'): VirtualServer[] {
  if (!(ipvsSchedulers as readonly string[]).includes(scheduler)) {
    throw new InvalidOptionError('scheduler', `"${scheduler}" is not one of ${ipvsSchedulers.join(', ')}`);
  }
  const out: VirtualServer[] = [];
  for (const port of table.servicePorts()) {
    const c = categorizeEndpoints(table.endpoints(port.key), port, config.topology);
    const internal = port.internalPolicyLocal ? c.localEndpoints : c.clusterEndpoints;
    const external = port.externalPolicyLocal ? c.localEndpoints : c.clusterEndpoints;
    const base = {
      protocol: port.protocol,
      port: port.port,
      scheduler,
      persistent: port.sessionAffinity?.timeoutSeconds,
      servicePort: port.nameString,
    };
    out.push({ ...base, address: port.clusterIP, realServers: internal, kind: 'clusterIP' });
    for (const ip of port.externalIPs) out.push({ ...base, address: ip, realServers: external, kind: 'externalIP' });
    for (const ip of port.loadBalancerVIPs) out.push({ ...base, address: ip, realServers: external, kind: 'loadBalancer' });
    if (port.nodePort !== 0 && config.nodeIP !== undefined) {
      out.push({ ...base, address: config.nodeIP, port: port.nodePort, realServers: external, kind: 'nodePort' });
    }
  }
  return out;
}

/** `ipvsadm -Ln` text for this node. */
export function renderIPVS(table: ServiceTable, config: ResolvedConfig, scheduler = 'rr'): string {
  const servers = ipvsVirtualServers(table, config, scheduler).sort(
    (a, b) => a.protocol.localeCompare(b.protocol) || a.address.localeCompare(b.address) || a.port - b.port,
  );
  const lines = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const vs of servers) {
    const flags = vs.persistent === undefined ? '' : ` persistent ${vs.persistent}`;
    lines.push(`${vs.protocol.padEnd(4)} ${joinHostPort(vs.address, vs.port)} ${vs.scheduler}${flags}`);
    for (const rs of vs.realServers) {
      lines.push(`  -> ${rs.endpoint.padEnd(28)} ${'Masq'.padEnd(7)} ${'1'.padEnd(6)} ${'0'.padEnd(10)} 0`);
    }
  }
  return `${lines.join('\n')}\n`;
}
