// TLS termination: SNI picks a SecureContext from kubernetes.io/tls Secrets (ingress hosts and
// Gateway HTTPS listeners); anything else gets a generated self-signed default certificate,
// as ingress-nginx serves its "Fake Certificate".
import { createSecureContext, type SecureContext } from 'node:tls';
import type { KubernetesObject, Secret } from '@kemu/core';
import { generate } from 'selfsigned';
import { BadTLSError } from '../errors.js';
import { ingressWildcardMatches } from '../hosts.js';
import type { RouterIssue } from '../issues.js';
import type { Router } from '../router.js';

/** PEM certificate and key. */
export interface PEMPair {
  cert: string;
  key: string;
}

/** A self-signed certificate for the default server (CN "Kubernetes Ingress Controller Fake Certificate"). */
export async function selfSignedPair(hosts: readonly string[] = ['localhost']): Promise<PEMPair> {
  const pems = await generate([{ name: 'commonName', value: 'Kubernetes Ingress Controller Fake Certificate' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
    extensions: [{ name: 'subjectAltName', altNames: hosts.map((h) => ({ type: 2 as const, value: h })) }],
  });
  return { cert: pems.cert, key: pems.private };
}

/** PEM pair of a kubernetes.io/tls Secret (data is base64, stringData is plain). */
export function secretPair(secret: Secret): PEMPair {
  const ref = `${secret.metadata.namespace ?? 'default'}/${secret.metadata.name}`;
  if (secret.type !== undefined && secret.type !== 'kubernetes.io/tls')
    throw new BadTLSError(ref, `type is "${secret.type}", not kubernetes.io/tls`);
  const read = (key: string): string => {
    const plain = secret.stringData?.[key];
    if (plain) return plain;
    const b64 = secret.data?.[key];
    if (!b64) throw new BadTLSError(ref, `missing ${key}`);
    return Buffer.from(b64, 'base64').toString('utf8');
  };
  return { cert: read('tls.crt'), key: read('tls.key') };
}

/** SNI table built from a router's TLS hosts and HTTPS listeners. */
export class CertificateTable {
  private readonly exact = new Map<string, SecureContext>();
  private readonly wildcard = new Map<string, SecureContext>();
  readonly issues: RouterIssue[] = [];

  constructor(
    router: Router,
    readonly fallback: SecureContext,
  ) {
    for (const t of router.ingress.tlsHosts()) {
      if (!t.secretName) continue;
      if (!t.secret) {
        this.issues.push({
          object: `Ingress/${t.ingress}`,
          field: 'spec.tls[].secretName',
          message: `Secret ${t.secretName} not found; the default certificate is served for ${t.host}`,
        });
        continue;
      }
      this.add(t.host, t.secret, `Ingress/${t.ingress}`);
    }
    for (const l of router.gateway.listeners) {
      if (l.listener.protocol !== 'HTTPS') continue;
      const ref = l.listener.tls?.certificateRefs?.[0];
      const secret = ref ? router.index.secrets.get(`${ref.namespace ?? l.namespace}/${ref.name}`) : undefined;
      if (ref && !secret)
        this.issues.push({
          object: `Gateway/${l.namespace}/${l.gateway.metadata.name}`,
          field: `spec.listeners[${l.listener.name}].tls.certificateRefs[0]`,
          message: `Secret ${ref.name} not found`,
        });
      if (secret) this.add(l.listener.hostname ?? '', secret, `Gateway/${l.namespace}/${l.gateway.metadata.name}`);
    }
  }

  private add(host: string, secret: Secret, owner: string): void {
    try {
      const context = createSecureContext(secretPair(secret));
      if (host.startsWith('*.')) this.wildcard.set(host.slice(2), context);
      else this.exact.set(host, context);
    } catch (error) {
      const message =
        error instanceof BadTLSError ? error.message : `Secret ${secret.metadata.name}: ${(error as Error).message}`;
      this.issues.push({
        object: owner,
        field: 'tls',
        message: `${message}; the default certificate is served for ${host || 'any host'}`,
      });
    }
  }

  /** The context for an SNI server name (exact, then one-label wildcard, then the default). */
  contextFor(servername: string): SecureContext {
    const name = servername.toLowerCase();
    const exact = this.exact.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    const wild = dot < 0 ? undefined : this.wildcard.get(name.slice(dot + 1));
    if (wild && ingressWildcardMatches(`*.${name.slice(dot + 1)}`, name)) return wild;
    return this.exact.get('') ?? this.fallback;
  }
}

/** Whether any object of this list can change the certificate table. */
export function touchesTLS(objects: readonly Pick<KubernetesObject, 'kind'>[]): boolean {
  return objects.some((o) => ['Secret', 'Ingress', 'Gateway', 'IngressClass', 'GatewayClass'].includes(o.kind));
}
