import { tryParseCIDR } from '../../net/cidr.js';
import { tryParseIP } from '../../net/ip.js';
import { checkDNS1123Subdomain, checkPortName, checkPortNumber } from '../../validation/names.js';
import type { FieldPath } from '../path.js';
import { validateLabelSelector } from './metadata.js';
import { isObject, type Json, list, type Report, reportAll } from './report.js';

// Ingress and NetworkPolicy rules from pkg/apis/networking/validation/validation.go.

/** A host as Ingress rules and TLS take it: a DNS subdomain, a leading `*.` allowed, no IP. */
export function validateHost(host: string, path: FieldPath, report: Report, allowWildcard = true): void {
  if (tryParseIP(host)) {
    report(path, `Invalid value: "${host}": must be a DNS name, not an IP address`);
    return;
  }
  if (host.startsWith('*.') && allowWildcard) {
    reportAll(
      report,
      path,
      host,
      checkDNS1123Subdomain(host.slice(2)).map((m) => m.replace('subdomain', 'wildcard DNS-1123 subdomain')),
    );
    return;
  }
  if (host.includes('*')) {
    report(
      path,
      `Invalid value: "${host}": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com')`,
    );
    return;
  }
  reportAll(report, path, host, checkDNS1123Subdomain(host));
}

function validateBackend(backend: unknown, path: FieldPath, report: Report): void {
  if (!isObject(backend)) return;
  const hasService = isObject(backend.service);
  const hasResource = isObject(backend.resource);
  if (hasService && hasResource) report(path, 'Invalid value: cannot set both resource and service backends');
  if (!hasService && !hasResource) report(path, 'Invalid value: one backend (service or resource) must be specified');
  if (isObject(backend.service)) {
    const port = isObject(backend.service.port) ? backend.service.port : undefined;
    if (!port) report([...path, 'service', 'port'], 'Required value: port name or number is required');
    else {
      const hasName = typeof port.name === 'string' && port.name !== '';
      const hasNumber = typeof port.number === 'number' && port.number !== 0;
      if (hasName && hasNumber) report([...path, 'service', 'port'], 'Invalid value: cannot set both port name & port number');
      else if (!hasName && !hasNumber) report([...path, 'service', 'port'], 'Invalid value: port name or number is required');
      if (hasName) reportAll(report, [...path, 'service', 'port', 'name'], port.name, checkPortName(port.name as string));
      if (hasNumber)
        reportAll(report, [...path, 'service', 'port', 'number'], port.number, checkPortNumber(port.number as number));
    }
  }
}

/** Ingress v1: defaultBackend or rules, hosts, absolute paths for Exact/Prefix, backends. */
export function validateIngress(object: Json, report: Report): void {
  const spec = isObject(object.spec) ? object.spec : {};
  const rules = list(spec.rules);
  if (rules.length === 0 && !isObject(spec.defaultBackend))
    report(['spec'], 'Invalid value: either `defaultBackend` or `rules` must be specified');
  validateBackend(spec.defaultBackend, ['spec', 'defaultBackend'], report);
  rules.forEach((rule, i) => {
    if (!isObject(rule)) return;
    if (typeof rule.host === 'string' && rule.host !== '') validateHost(rule.host, ['spec', 'rules', i, 'host'], report);
    const http = isObject(rule.http) ? rule.http : undefined;
    if (!http) return;
    const paths = list(http.paths);
    if (paths.length === 0) report(['spec', 'rules', i, 'http', 'paths'], 'Required value');
    paths.forEach((entry, j) => {
      if (!isObject(entry)) return;
      const at = ['spec', 'rules', i, 'http', 'paths', j];
      const pathType = entry.pathType;
      const value = entry.path;
      if ((pathType === 'Exact' || pathType === 'Prefix') && (typeof value !== 'string' || !value.startsWith('/'))) {
        report([...at, 'path'], `Invalid value: ${JSON.stringify(value ?? '')}: must be an absolute path`);
      }
      if ((pathType === 'Exact' || pathType === 'Prefix') && typeof value === 'string') {
        // ValidatePathType: no "//", "/./", "/../", "%2f", "%2F" and no trailing "/.." or "/." for non-regex types.
        for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) {
          if (value.includes(bad)) report([...at, 'path'], `Invalid value: "${value}": must not contain '${bad}'`);
        }
        for (const bad of ['/..', '/.']) {
          if (value.endsWith(bad)) report([...at, 'path'], `Invalid value: "${value}": cannot end with '${bad}'`);
        }
      }
      validateBackend(entry.backend, [...at, 'backend'], report);
    });
  });
  list(spec.tls).forEach((tls, i) => {
    if (!isObject(tls)) return;
    list(tls.hosts).forEach((host, j) => {
      if (typeof host === 'string') validateHost(host, ['spec', 'tls', i, 'hosts', j], report);
    });
  });
}

function validatePeers(peers: unknown, path: FieldPath, report: Report): void {
  list(peers).forEach((peer, i) => {
    if (!isObject(peer)) return;
    const at = [...path, i];
    const selectors = (peer.podSelector !== undefined ? 1 : 0) + (peer.namespaceSelector !== undefined ? 1 : 0);
    if (peer.ipBlock !== undefined && selectors > 0) report(at, 'Forbidden: may not specify more than 1 peer type');
    if (peer.ipBlock === undefined && selectors === 0) report(at, 'Required value: must specify a peer');
    validateLabelSelector(peer.podSelector, [...at, 'podSelector'], report);
    validateLabelSelector(peer.namespaceSelector, [...at, 'namespaceSelector'], report);
    if (isObject(peer.ipBlock)) {
      const cidrText = peer.ipBlock.cidr;
      if (typeof cidrText !== 'string' || cidrText === '') {
        report([...at, 'ipBlock', 'cidr'], 'Required value');
        return;
      }
      const cidr = tryParseCIDR(cidrText);
      if (typeof cidr === 'string') {
        report([...at, 'ipBlock', 'cidr'], `Invalid value: "${cidrText}": must be a valid CIDR (e.g. 10.0.0.0/16)`);
        return;
      }
      list(peer.ipBlock.except).forEach((exceptText, j) => {
        if (typeof exceptText !== 'string') return;
        const except = tryParseCIDR(exceptText);
        if (typeof except === 'string')
          report([...at, 'ipBlock', 'except', j], `Invalid value: "${exceptText}": must be a valid CIDR`);
        else if (!cidr.containsCIDR(except) || except.prefixLength <= cidr.prefixLength) {
          report([...at, 'ipBlock', 'except', j], `Invalid value: "${exceptText}": must be a strict subset of \`cidr\``);
        }
      });
    }
  });
}

function validatePolicyPorts(ports: unknown, path: FieldPath, report: Report): void {
  list(ports).forEach((port, i) => {
    if (!isObject(port)) return;
    const at = [...path, i];
    if (typeof port.port === 'number') reportAll(report, [...at, 'port'], port.port, checkPortNumber(port.port));
    if (typeof port.port === 'string') reportAll(report, [...at, 'port'], port.port, checkPortName(port.port));
    if (port.endPort !== undefined && port.endPort !== null) {
      if (typeof port.port !== 'number')
        report([...at, 'endPort'], 'Required value: may not be specified when `port` is non-numeric');
      else if (typeof port.endPort === 'number' && port.endPort < port.port)
        report([...at, 'endPort'], 'Invalid value: must be greater than or equal to `port`');
      if (typeof port.endPort === 'number') reportAll(report, [...at, 'endPort'], port.endPort, checkPortNumber(port.endPort));
    }
  });
}

/** NetworkPolicy: selectors, peers (one type each), ipBlock CIDRs and excepts, ports and endPort. */
export function validateNetworkPolicy(object: Json, report: Report): void {
  const spec = isObject(object.spec) ? object.spec : {};
  validateLabelSelector(spec.podSelector, ['spec', 'podSelector'], report);
  list(spec.ingress).forEach((rule, i) => {
    if (!isObject(rule)) return;
    validatePeers(rule.from, ['spec', 'ingress', i, 'from'], report);
    validatePolicyPorts(rule.ports, ['spec', 'ingress', i, 'ports'], report);
  });
  list(spec.egress).forEach((rule, i) => {
    if (!isObject(rule)) return;
    validatePeers(rule.to, ['spec', 'egress', i, 'to'], report);
    validatePolicyPorts(rule.ports, ['spec', 'egress', i, 'ports'], report);
  });
  if (list(spec.policyTypes).length > 2)
    report(['spec', 'policyTypes'], 'Invalid value: may not specify more than two policyTypes');
}
