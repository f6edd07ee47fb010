// Object metadata shared by every kind (k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
// Objects are plain JSON: fields kemu does not model are kept as they are on every round trip.

/** apiVersion and kind, as every manifest carries them. */
export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

/** A reference to the object that owns this one (Deployment → ReplicaSet → Pod). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metadata of every object. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid?: string;
  /** Set by the store on every write; compare-and-swap token for updates. */
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

/** Any Kubernetes object: TypeMeta, metadata, and whatever else its kind defines. */
export interface KubernetesObject extends TypeMeta {
  metadata: ObjectMeta;
}

/** A structured label selector (metav1.LabelSelector). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** One matchExpressions entry. */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** metav1.Condition, as Gateway API and most newer status blocks use. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** A typed reference to a local object. */
export interface LocalObjectReference {
  name: string;
}

/** `kind/namespace/name` (or `kind/name` for cluster-scoped objects): how kemu names an object in messages. */
export function objectRef(object: Pick<KubernetesObject, 'kind' | 'metadata'>): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${object.kind}/${namespace}/${name}` : `${object.kind}/${name}`;
}
