import type { KubernetesObject, PodTemplateSpec } from '@kemu/core';
import type { GraphNode } from './topology.js';

// Column of each kind in the left-to-right layout: entry points first, storage last.
const layers: Record<string, number> = {
  Gateway: 0,
  Ingress: 0,
  HTTPRoute: 1,
  Service: 2,
  Deployment: 3,
  StatefulSet: 3,
  Pod: 4,
  PersistentVolumeClaim: 5,
  PersistentVolume: 6,
  StorageClass: 7,
};

/** The id of an object's box, safe for Mermaid and SVG; a Node's is the id of its group (`Node__kemu_worker`). */
export function idOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}_${namespace ?? ''}_${name}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/** What Services and NetworkPolicies select: a workload's pod template, or a pod itself. */
export interface Selectable {
  node: GraphNode;
  namespace: string;
  labels: Record<string, string>;
  template: PodTemplateSpec;
}

/** The boxes of one diagram by id: an object gets one box however often it is named. */
export class Boxes {
  private readonly byId = new Map<string, GraphNode>();

  /** The object's box, added the first time. */
  add(object: KubernetesObject, nodeName?: string): GraphNode {
    const id = idOf(object.kind, object.metadata.namespace, object.metadata.name);
    let node = this.byId.get(id);
    if (!node) {
      node = {
        id,
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        layer: layers[object.kind] ?? 3,
        nodeName,
      };
      this.byId.set(id, node);
    }
    return node;
  }

  /** The box of an object already added, if any. */
  ref(kind: string, namespace: string | undefined, name: string): GraphNode | undefined {
    return this.byId.get(idOf(kind, namespace, name));
  }

  all(): GraphNode[] {
    return [...this.byId.values()];
  }
}
