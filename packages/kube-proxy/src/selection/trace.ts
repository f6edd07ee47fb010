// A packet, not a Service name: which rule catches (destination IP, port, protocol) on this node,
// the way upstream's packet-flow tests trace packets through the generated rules
// (pkg/proxy/iptables/proxier_test.go runPacketFlowTests).
import { type Protocol, tryParseCIDR, tryParseIP } from '@kemu/core';
import type { Proxier } from '../proxier.js';
import type { ServicePortInfo } from '../table/types.js';
import { type ConnectionRequest, type DestinationKind, route, type Selection } from './route.js';

/** One packet opening a connection. */
export interface Packet {
  readonly sourceIP: string;
  readonly sourcePort?: number;
  readonly destIP: string;
  readonly destPort: number;
  readonly protocol?: Protocol;
}

/** What happened to the packet. */
export interface PacketTrace {
  /** Upstream's form: "" (no rule matched), "REJECT", "DROP", or every possible endpoint joined by ", ". */
  readonly output: string;
  /** Marked for masquerade (SNAT). */
  readonly masq: boolean;
  /** The service port and how it was reached, when a rule matched. */
  readonly servicePort: string | undefined;
  readonly via: DestinationKind | undefined;
  readonly selection: Selection | undefined;
}

/** Options of {@link tracePacket}. */
export interface TraceOptions extends Pick<ConnectionRequest, 'mode' | 'random' | 'affinity' | 'now'> {
  /** Addresses local to this node (addrtype LOCAL); default the config's nodeIP. */
  readonly nodeIPs?: readonly string[];
}

function isLoopback(ip: string): boolean {
  const parsed = tryParseIP(ip);
  const v4 = tryParseCIDR('127.0.0.0/8');
  return parsed !== undefined && typeof v4 !== 'string' && (v4.contains(parsed) || parsed.toString() === '::1');
}

/** Finds the rule that catches a packet and routes it; a packet no rule catches gets output "". */
export function tracePacket(proxier: Proxier, packet: Packet, options: TraceOptions = {}): PacketTrace {
  const protocol = packet.protocol ?? 'TCP';
  const nodeIPs = new Set(options.nodeIPs ?? (proxier.config.nodeIP ? [proxier.config.nodeIP] : []));
  const destIP = tryParseIP(packet.destIP)?.toString() ?? packet.destIP;
  // Loopback NodePorts only when localhost NodePorts are on (IPv4 only: route_localnet).
  const destLocal = nodeIPs.has(destIP) || (isLoopback(destIP) && proxier.config.localhostNodePorts && !destIP.includes(':'));
  const sourceLocal = nodeIPs.has(packet.sourceIP) || isLoopback(packet.sourceIP);
  let match: { port: ServicePortInfo; via: DestinationKind } | undefined;
  for (const port of proxier.table.servicePorts()) {
    if (port.protocol !== protocol) continue;
    if (port.port === packet.destPort) {
      if (port.clusterIP === destIP) match = { port, via: 'clusterIP' };
      else if (port.externalIPs.includes(destIP)) match = { port, via: 'externalIP' };
      else if (port.loadBalancerVIPs.includes(destIP)) match = { port, via: 'loadBalancer' };
    }
    if (!match && destLocal && port.nodePort === packet.destPort) match = { port, via: 'nodePort' };
    if (match) break;
  }
  if (!match) return { output: '', masq: false, servicePort: undefined, via: undefined, selection: undefined };
  const selection = route(proxier, {
    servicePort: match.port.key,
    via: match.via,
    destinationIP: destIP,
    clientIP: packet.sourceIP,
    clientPort: packet.sourcePort,
    clientIsNode: sourceLocal,
    ...options,
  });
  const output = selection.verdict === 'DNAT' ? selection.candidates.join(', ') : selection.verdict;
  return { output, masq: selection.masquerade, servicePort: match.port.nameString, via: match.via, selection };
}
