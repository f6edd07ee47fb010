import type { Gateway, Listener, ReferenceGrant } from '@kemu/core';

/** A DNS-label-safe listener name for a host: `*.foo.com` → `wildcard-foo-com`. */
export function hostSlug(host: string): string {
  const slug = host
    .replace(/^\*\./, 'wildcard.')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.length > 50 ? slug.slice(0, 50).replace(/-+$/, '') : slug;
}

/** Collects listeners by name, so each host gets one HTTP and at most one HTTPS listener. */
export class ListenerSet {
  private readonly listeners = new Map<string, Listener>();
  private readonly grants = new Map<string, ReferenceGrant>();

  /** The catch-all HTTP listener (no hostname) for host-less rules and default backends. */
  catchAll(): string {
    return this.add({ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } });
  }

  /** The HTTP listener of a host. */
  http(host: string): string {
    return this.add({
      name: `http-${hostSlug(host)}`,
      port: 80,
      protocol: 'HTTP',
      hostname: host,
      allowedRoutes: { namespaces: { from: 'All' } },
    });
  }

  /** The HTTPS listener of a host, terminating TLS with the Ingress's Secret. */
  https(host: string, secretName: string | undefined, secretNamespace: string, gatewayNamespace: string): string {
    const name = `https-${hostSlug(host)}`;
    const certificateRefs = secretName
      ? [
          {
            kind: 'Secret',
            group: '',
            name: secretName,
            ...(secretNamespace !== gatewayNamespace ? { namespace: secretNamespace } : {}),
          },
        ]
      : [];
    if (secretName && secretNamespace !== gatewayNamespace) this.grantSecret(secretNamespace, gatewayNamespace, secretName);
    return this.add({
      name,
      port: 443,
      protocol: 'HTTPS',
      hostname: host,
      tls: { mode: 'Terminate', certificateRefs },
      allowedRoutes: { namespaces: { from: 'All' } },
    });
  }

  /** The Gateway holding every listener collected. */
  gateway(name: string, namespace: string, gatewayClassName: string): Gateway {
    return {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace, annotations: { 'kemu.dev/migrated-from': 'ingress-nginx' } },
      spec: { gatewayClassName, listeners: [...this.listeners.values()] },
    };
  }

  /** ReferenceGrants letting the Gateway read Secrets in other namespaces. */
  referenceGrants(): ReferenceGrant[] {
    return [...this.grants.values()];
  }

  /** How many listeners (Gateway API allows 64 per Gateway). */
  get size(): number {
    return this.listeners.size;
  }

  private add(listener: Listener): string {
    if (!this.listeners.has(listener.name)) this.listeners.set(listener.name, listener);
    return listener.name;
  }

  private grantSecret(secretNamespace: string, gatewayNamespace: string, secretName: string): void {
    const key = `${secretNamespace}/${gatewayNamespace}`;
    const existing = this.grants.get(key);
    if (existing) {
      if (!existing.spec.to.some((t) => t.name === secretName))
        existing.spec.to.push({ group: '', kind: 'Secret', name: secretName });
      return;
    }
    this.grants.set(key, {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: `gateway-${gatewayNamespace}-secrets`, namespace: secretNamespace },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: gatewayNamespace }],
        to: [{ group: '', kind: 'Secret', name: secretName }],
      },
    });
  }
}
