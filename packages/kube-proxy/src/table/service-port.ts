// Reading a Service into service ports, as pkg/proxy/serviceport.go newBaseServiceInfo and
// pkg/proxy/servicechangetracker.go serviceToServiceMap do.
import { type IPFamily, ipFamilyOf, type Protocol, type Service, tryParseCIDR, tryParseIP } from '@kemu/core';
import { iptablesChainNames, nftServiceBase } from '../names.js';
import type { ServicePortInfo, TableWarning } from './types.js';

/** Label that hands a Service to another proxy; kube-proxy's informer filters these out. */
export const serviceProxyNameLabel = 'service.kubernetes.io/service-proxy-name';

/** API default of `sessionAffinityConfig.clientIP.timeoutSeconds` (core/v1 DefaultClientIPServiceAffinitySeconds). */
export const defaultAffinityTimeoutSeconds = 10800;

/** `ServicePortName.String()`: `ns/name:port`, or `ns/name` when the port is unnamed. */
export function servicePortNameString(namespace: string, name: string, portName: string): string {
  return portName === '' ? `${namespace}/${name}` : `${namespace}/${name}:${portName}`;
}

/** Why a Service yields no service ports, or undefined when it is proxied. */
export function skipReason(service: Service): string | undefined {
  if (service.metadata.labels?.[serviceProxyNameLabel] !== undefined) {
    return `labelled ${serviceProxyNameLabel}: handled by another proxy`;
  }
  if (service.spec.type === 'ExternalName') return 'type ExternalName is resolved by DNS, not proxied';
  const clusterIP = service.spec.clusterIP;
  if (clusterIP === undefined || clusterIP === '' || clusterIP === 'None') return 'headless (clusterIP None): not proxied';
  return undefined;
}

/** apiservice.ExternallyAccessible: type LB or NodePort, or ClusterIP with externalIPs. */
function apiExternallyAccessible(service: Service): boolean {
  const type = service.spec.type ?? 'ClusterIP';
  return type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (service.spec.externalIPs?.length ?? 0) > 0);
}

function familyClusterIP(service: Service, family: IPFamily): string | undefined {
  const candidates = service.spec.clusterIPs?.length ? service.spec.clusterIPs : [service.spec.clusterIP ?? ''];
  for (const ip of candidates) {
    const parsed = tryParseIP(ip);
    if (parsed?.family === family) return parsed.toString();
  }
  return undefined;
}

/**
 * The service ports of one Service for one IP family (empty when it is not proxied or has no
 * ClusterIP of that family). Bad fields are skipped with a warning, as kube-proxy logs them.
 */
export function readServicePorts(service: Service, family: IPFamily, warnings: TableWarning[] = []): ServicePortInfo[] {
  const namespace = service.metadata.namespace ?? 'default';
  const name = service.metadata.name;
  const object = `Service ${namespace}/${name}`;
  if (skipReason(service) !== undefined) return [];
  const clusterIP = familyClusterIP(service, family);
  if (clusterIP === undefined) return [];

  // Loops rather than filter/map callbacks: this runs once per Service in every table build.
  const externalIPs: string[] = [];
  for (const ip of service.spec.externalIPs ?? []) if (ipFamilyOf(ip) === family) externalIPs.push(canonical(ip));
  // serviceport.go: ingress IPs with ipMode Proxy are reached through the LB itself, not the node.
  const loadBalancerVIPs: string[] = [];
  for (const ingress of service.status?.loadBalancer?.ingress ?? []) {
    if (ingress.ip !== undefined && ingress.ipMode !== 'Proxy' && ipFamilyOf(ingress.ip) === family) {
      loadBalancerVIPs.push(canonical(ingress.ip));
    }
  }
  const loadBalancerSourceRanges: string[] = [];
  for (const raw of service.spec.loadBalancerSourceRanges ?? []) {
    // Upstream trims spaces (TestOverallIPTablesRules uses " 203.0.113.0/25") and drops what does not parse.
    const cidr = tryParseCIDR(raw.trim());
    if (typeof cidr === 'string') {
      warnings.push({ object, message: `loadBalancerSourceRanges "${raw}" is not a CIDR: ignored` });
    } else if (cidr.family === family) {
      loadBalancerSourceRanges.push(cidr.toString());
    }
  }
  const type = service.spec.type ?? 'ClusterIP';
  const externalPolicyLocal = apiExternallyAccessible(service) && service.spec.externalTrafficPolicy === 'Local';
  const internalPolicyLocal = service.spec.internalTrafficPolicy === 'Local';
  const healthCheckNodePort =
    type === 'LoadBalancer' && service.spec.externalTrafficPolicy === 'Local' ? (service.spec.healthCheckNodePort ?? 0) : 0;
  const sessionAffinity =
    service.spec.sessionAffinity === 'ClientIP'
      ? {
          type: 'ClientIP' as const,
          timeoutSeconds: service.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinityTimeoutSeconds,
        }
      : undefined;

  const result: ServicePortInfo[] = [];
  for (const port of service.spec.ports ?? []) {
    const portName = port.name ?? '';
    const protocol: Protocol = port.protocol ?? 'TCP';
    const nameString = servicePortNameString(namespace, name, portName);
    const nodePort = port.nodePort ?? 0;
    const externallyAccessible = nodePort !== 0 || loadBalancerVIPs.length > 0 || externalIPs.length > 0;
    const protocolLower = protocol.toLowerCase();
    result.push({
      key: `${nameString}/${protocol}`,
      namespace,
      name,
      portName,
      protocol,
      nameString,
      family,
      clusterIP,
      port: port.port,
      nodePort,
      externalIPs,
      loadBalancerVIPs,
      loadBalancerSourceRanges,
      healthCheckNodePort,
      sessionAffinity,
      externalPolicyLocal,
      internalPolicyLocal,
      externallyAccessible,
      usesClusterEndpoints: !internalPolicyLocal || externallyAccessible,
      usesLocalEndpoints: internalPolicyLocal || (externalPolicyLocal && externallyAccessible),
      trafficDistribution: service.spec.trafficDistribution,
      chains: iptablesChainNames(nameString, protocolLower),
      nftBase: nftServiceBase(namespace, name, protocolLower, portName),
    });
  }
  return result;
}

function canonical(ip: string): string {
  return tryParseIP(ip)?.toString() ?? ip;
}
