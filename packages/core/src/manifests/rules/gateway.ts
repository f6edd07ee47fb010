import { checkDNS1123Label, checkPortNumber } from '../../validation/names.js';
import { validateHost } from './networking.js';
import { isObject, type Json, list, type Report, reportAll } from './report.js';

// Gateway API CRD validation (OpenAPI patterns and CEL rules in the v1 CRDs).

/** Gateway: listener names unique DNS labels, ports, hostnames, TLS needs certificates to terminate. */
export function validateGateway(object: Json, report: Report): void {
  const spec = isObject(object.spec) ? object.spec : {};
  const names = new Set<string>();
  const listeners = list(spec.listeners);
  if (Array.isArray(spec.listeners) && listeners.length === 0)
    report(['spec', 'listeners'], 'Invalid value: should have at least 1 items');
  listeners.forEach((listener, i) => {
    if (!isObject(listener)) return;
    const at = ['spec', 'listeners', i];
    if (typeof listener.name === 'string') {
      reportAll(report, [...at, 'name'], listener.name, checkDNS1123Label(listener.name));
      if (names.has(listener.name)) report([...at, 'name'], `Duplicate value: Listener name must be unique within the Gateway`);
      names.add(listener.name);
    }
    if (typeof listener.port === 'number') reportAll(report, [...at, 'port'], listener.port, checkPortNumber(listener.port));
    if (typeof listener.hostname === 'string') validateHost(listener.hostname, [...at, 'hostname'], report);
    if (listener.protocol === 'HTTPS' && !isObject(listener.tls))
      report([...at, 'tls'], "Invalid value: tls must be specified for protocols ['HTTPS', 'TLS']");
    if ((listener.protocol === 'HTTP' || listener.protocol === 'TCP' || listener.protocol === 'UDP') && isObject(listener.tls)) {
      report([...at, 'tls'], "Invalid value: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
    }
  });
}

/** HTTPRoute: hostnames, absolute paths, weights, redirect/rewrite exclusivity. */
export function validateHTTPRoute(object: Json, report: Report): void {
  const spec = isObject(object.spec) ? object.spec : {};
  list(spec.hostnames).forEach((host, i) => {
    if (typeof host === 'string') validateHost(host, ['spec', 'hostnames', i], report);
  });
  if (list(spec.parentRefs).length > 32) report(['spec', 'parentRefs'], 'Too many: must have at most 32 items');
  list(spec.rules).forEach((rule, i) => {
    if (!isObject(rule)) return;
    list(rule.matches).forEach((match, j) => {
      if (!isObject(match) || !isObject(match.path)) return;
      const { type, value } = match.path;
      if ((type === 'Exact' || type === 'PathPrefix') && typeof value === 'string') {
        if (!value.startsWith('/'))
          report(
            ['spec', 'rules', i, 'matches', j, 'path', 'value'],
            `Invalid value: "${value}": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']`,
          );
        if (value.includes('//'))
          report(
            ['spec', 'rules', i, 'matches', j, 'path', 'value'],
            `Invalid value: "${value}": must not contain '//' when type one of ['Exact', 'PathPrefix']`,
          );
      }
    });
    list(rule.backendRefs).forEach((backend, j) => {
      if (isObject(backend) && typeof backend.weight === 'number' && (backend.weight < 0 || backend.weight > 1_000_000)) {
        report(
          ['spec', 'rules', i, 'backendRefs', j, 'weight'],
          `Invalid value: ${backend.weight}: must be between 0 and 1000000`,
        );
      }
      if (isObject(backend) && typeof backend.port === 'number')
        reportAll(report, ['spec', 'rules', i, 'backendRefs', j, 'port'], backend.port, checkPortNumber(backend.port));
      if (
        isObject(backend) &&
        (backend.kind ?? 'Service') === 'Service' &&
        (backend.group ?? '') === '' &&
        backend.port === undefined
      ) {
        report(['spec', 'rules', i, 'backendRefs', j, 'port'], 'Required value: Must have port for Service reference');
      }
    });
    const types = list(rule.filters).map((f) => (isObject(f) ? f.type : undefined));
    if (types.includes('RequestRedirect') && types.includes('URLRewrite')) {
      report(
        ['spec', 'rules', i, 'filters'],
        'Invalid value: May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
      );
    }
    if (types.includes('RequestRedirect') && list(rule.backendRefs).length > 0) {
      report(['spec', 'rules', i], 'Invalid value: RequestRedirect filter must not be used together with backendRefs');
    }
  });
}
