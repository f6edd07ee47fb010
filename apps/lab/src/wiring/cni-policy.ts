import { compileNetworkPolicies, type PolicyEngine } from '@kemu/cni';
import type { Namespace, NetworkPolicy } from '@kemu/core';
import type { InformerFactory } from '../lab/informer.js';

/**
 * The current NetworkPolicies (and Namespace labels, for namespaceSelector) from the lab's
 * informers, compiled on the first connection after a change: the agent asks per new connection,
 * so a policy applies to new connections as soon as the informer has it (open ones keep going,
 * as with conntrack in upstream implementations).
 */
export class PolicyView {
  private engine: PolicyEngine = compileNetworkPolicies({ policies: [] });
  private dirty = false;
  private informers: InformerFactory | undefined;

  /** Starts following the informers. */
  follow(informers: InformerFactory): void {
    this.informers = informers;
    this.dirty = true;
    for (const kind of ['NetworkPolicy', 'Namespace']) informers.for(kind).on(() => (this.dirty = true));
  }

  /** The engine for a new connection. */
  current(): PolicyEngine {
    if (this.dirty && this.informers) {
      this.dirty = false;
      const policies = this.informers.for<NetworkPolicy>('NetworkPolicy').list();
      const namespaces = this.informers
        .for<Namespace>('Namespace')
        .list()
        .map((ns) => ({
          name: ns.metadata.name,
          // The API server sets this label on every namespace (NamespaceDefaultLabelName, 1.22+).
          labels: { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name },
        }));
      this.engine = compileNetworkPolicies({ policies, namespaces });
    }
    return this.engine;
  }
}
