import { tryParseCIDR } from '../../net/cidr.js';
import { tryParseIP } from '../../net/ip.js';
import {
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkLabelValue,
  checkPortName,
  checkPortNumber,
  checkQualifiedName,
} from '../../validation/names.js';
import { isObject, type Json, list, type Report, reportAll } from './report.js';

/** kube-apiserver's default --service-node-port-range. */
export const defaultNodePortRange = { min: 30000, max: 32767 } as const;

// Service rules from pkg/apis/core/validation/validation.go (ValidateService).
export function validateService(object: Json, report: Report): void {
  const spec = isObject(object.spec) ? object.spec : {};
  const type = spec.type;
  const ports = list(spec.ports).filter(isObject);
  if (type === 'ExternalName') {
    if (typeof spec.externalName !== 'string' || spec.externalName === '') report(['spec', 'externalName'], 'Required value');
    else
      reportAll(report, ['spec', 'externalName'], spec.externalName, checkDNS1123Subdomain(spec.externalName.replace(/\.$/, '')));
  } else if (ports.length === 0 && spec.clusterIP !== 'None') {
    report(['spec', 'ports'], 'Required value');
  }
  const names = new Set<string>();
  const portProtocols = new Set<string>();
  ports.forEach((port, i) => {
    const at = ['spec', 'ports', i];
    if (ports.length > 1 && (typeof port.name !== 'string' || port.name === '')) report([...at, 'name'], 'Required value');
    if (typeof port.name === 'string' && port.name !== '') {
      reportAll(report, [...at, 'name'], port.name, checkDNS1123Label(port.name));
      if (names.has(port.name)) report([...at, 'name'], `Duplicate value: "${port.name}"`);
      names.add(port.name);
    }
    if (typeof port.port === 'number') reportAll(report, [...at, 'port'], port.port, checkPortNumber(port.port));
    const key = `${port.port}/${port.protocol}`;
    if (portProtocols.has(key)) report([...at], `Duplicate value: {"port":${port.port},"protocol":"${port.protocol}"}`);
    portProtocols.add(key);
    if (typeof port.targetPort === 'number')
      reportAll(report, [...at, 'targetPort'], port.targetPort, checkPortNumber(port.targetPort));
    if (typeof port.targetPort === 'string')
      reportAll(report, [...at, 'targetPort'], port.targetPort, checkPortName(port.targetPort));
    if (typeof port.nodePort === 'number' && port.nodePort !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') {
        report([...at, 'nodePort'], `Forbidden: may not be used when \`type\` is '${String(type)}'`);
      } else if (port.nodePort < defaultNodePortRange.min || port.nodePort > defaultNodePortRange.max) {
        report(
          [...at, 'nodePort'],
          `Invalid value: ${port.nodePort}: provided port is not in the valid range. The range of valid ports is ${defaultNodePortRange.min}-${defaultNodePortRange.max}`,
        );
      }
    }
  });
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && spec.clusterIP !== 'None' && !tryParseIP(spec.clusterIP)) {
    report(['spec', 'clusterIP'], `Invalid value: "${spec.clusterIP}": must be empty, 'None', or a valid IP address`);
  }
  list(spec.clusterIPs).forEach((ip, i) => {
    if (typeof ip === 'string' && ip !== 'None' && !tryParseIP(ip))
      report(['spec', 'clusterIPs', i], `Invalid value: "${ip}": must be a valid IP address`);
  });
  list(spec.externalIPs).forEach((ip, i) => {
    if (typeof ip === 'string' && !tryParseIP(ip))
      report(['spec', 'externalIPs', i], `Invalid value: "${ip}": must be a valid IP address`);
  });
  list(spec.loadBalancerSourceRanges).forEach((range, i) => {
    if (typeof range === 'string' && typeof tryParseCIDR(range.trim()) === 'string') {
      report(
        ['spec', 'loadBalancerSourceRanges', i],
        `Invalid value: "${range}": must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24`,
      );
    }
  });
  if (isObject(spec.selector)) {
    for (const [key, value] of Object.entries(spec.selector)) {
      reportAll(report, ['spec', 'selector', key], key, checkQualifiedName(key));
      if (typeof value === 'string') reportAll(report, ['spec', 'selector', key], value, checkLabelValue(value));
    }
  }
  const timeout =
    isObject(spec.sessionAffinityConfig) && isObject(spec.sessionAffinityConfig.clientIP)
      ? spec.sessionAffinityConfig.clientIP.timeoutSeconds
      : undefined;
  if (typeof timeout === 'number' && (timeout <= 0 || timeout > 86400)) {
    report(
      ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'],
      `Invalid value: ${timeout}: must be greater than 0 and less than 86400`,
    );
  }
  if (
    spec.externalTrafficPolicy === 'Local' &&
    type !== 'NodePort' &&
    type !== 'LoadBalancer' &&
    list(spec.externalIPs).length === 0
  ) {
    report(['spec', 'externalTrafficPolicy'], 'Invalid value: "Local": may only be set for externally-accessible services');
  }
}

/** EndpointSlice: addresses of the slice's type, port numbers, the service-name label. */
export function validateEndpointSlice(object: Json, report: Report): void {
  const addressType = object.addressType;
  list(object.endpoints).forEach((endpoint, i) => {
    if (!isObject(endpoint)) return;
    const addresses = list(endpoint.addresses);
    if (addresses.length === 0) report(['endpoints', i, 'addresses'], 'Required value: must contain at least 1 address');
    if (addresses.length > 100) report(['endpoints', i, 'addresses'], 'Too many: must have at most 100 items');
    addresses.forEach((address, j) => {
      if (typeof address !== 'string') return;
      const ip = tryParseIP(address);
      if ((addressType === 'IPv4' || addressType === 'IPv6') && ip?.family !== addressType) {
        report(['endpoints', i, 'addresses', j], `Invalid value: "${address}": must be a valid ${addressType} address`);
      }
    });
  });
  list(object.ports).forEach((port, i) => {
    if (isObject(port) && typeof port.port === 'number')
      reportAll(report, ['ports', i, 'port'], port.port, checkPortNumber(port.port));
  });
}
