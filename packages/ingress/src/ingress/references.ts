// Dangling references of served Ingresses (missing Services, Service ports, TLS Secrets), reported
// with the object and field named. Routing still works: ingress-nginx answers 503 for such paths
// and serves its default certificate for such hosts.
import type { Ingress, IngressBackend } from '@kemu/core';
import type { ObjectIndex } from '../backends.js';
import type { RouterIssue } from '../issues.js';

function backendIssue(
  index: ObjectIndex,
  namespace: string,
  backend: IngressBackend | undefined,
  object: string,
  field: string,
): RouterIssue | undefined {
  const service = backend?.service;
  if (!service) return undefined;
  const port = service.port.number ?? service.port.name;
  const resolved = index.resolve(namespace, service.name, port);
  if (resolved.ok || resolved.problem === 'NoReadyEndpoints') return undefined;
  return { object, field: `${field}.service`, message: `${resolved.detail}; requests for this path get 503` };
}

/** Issues for every unresolvable Service reference and TLS Secret of the given Ingresses. */
export function referenceIssues(ingresses: Iterable<Ingress>, index: ObjectIndex): RouterIssue[] {
  const issues: RouterIssue[] = [];
  for (const ingress of ingresses) {
    const ns = ingress.metadata.namespace ?? 'default';
    const object = `Ingress/${ns}/${ingress.metadata.name}`;
    const push = (issue: RouterIssue | undefined): void => {
      if (issue) issues.push(issue);
    };
    push(backendIssue(index, ns, ingress.spec.defaultBackend, object, 'spec.defaultBackend'));
    (ingress.spec.rules ?? []).forEach((rule, r) => {
      (rule.http?.paths ?? []).forEach((path, p) => {
        push(backendIssue(index, ns, path.backend, object, `spec.rules[${r}].http.paths[${p}].backend`));
      });
    });
    (ingress.spec.tls ?? []).forEach((tls, t) => {
      if (!tls.secretName) return;
      const secret = index.secrets.get(`${ns}/${tls.secretName}`);
      if (!secret) {
        issues.push({
          object,
          field: `spec.tls[${t}].secretName`,
          message: `Secret ${ns}/${tls.secretName} not found; the default certificate is served`,
        });
      } else if (secret.type !== undefined && secret.type !== 'kubernetes.io/tls') {
        issues.push({
          object,
          field: `spec.tls[${t}].secretName`,
          message: `Secret ${ns}/${tls.secretName} has type ${secret.type}, not kubernetes.io/tls`,
        });
      }
    });
  }
  return issues;
}
