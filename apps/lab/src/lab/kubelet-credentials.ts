import { randomBytes } from 'node:crypto';
import { type Secret, type Store, StoreAlreadyExistsError } from '@kemu/core';

/**
 * The bearer token the control plane presents to node agents' kubelet endpoints (`/containerLogs`).
 * A cluster's kubelet authenticates the API server with a client certificate or a webhook-checked
 * token (`--authentication-token-webhook`); the lab keeps one shared token in a Secret of the
 * store, so whoever may read the lab's Secrets (its store or its API) may read its pods' logs, and
 * nobody else who merely reaches an agent's address.
 */
export const kubeletCredentials = { namespace: 'kube-system', name: 'kemu-kubelet-credentials' } as const;

/** Creates the lab's kubelet token once (the first control plane on a store); keeps an existing one. */
export async function ensureKubeletCredentials(store: Store): Promise<void> {
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { ...kubeletCredentials },
    type: 'Opaque',
    data: { token: Buffer.from(randomBytes(32).toString('base64url')).toString('base64') },
  };
  await store.create(secret).catch((error: unknown) => {
    if (!(error instanceof StoreAlreadyExistsError)) throw error;
  });
}

/** The token in the credentials Secret, or undefined when there is none (yet). */
export function kubeletTokenOf(secret: Secret | undefined): string | undefined {
  const encoded = secret?.data?.token;
  return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
}
