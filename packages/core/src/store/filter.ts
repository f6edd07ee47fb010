import type { KubernetesObject } from '../objects/meta.js';
import { parseSelector, type Selector } from '../selectors/label-selector.js';
import type { WatchOptions } from './types.js';

/** A compiled list/watch filter: kind, namespace and label selector. */
export type ObjectFilter = (object: KubernetesObject) => boolean;

/** Compiles list/watch options into one predicate; throws on a bad selector before any I/O. */
export function compileFilter(options: WatchOptions): ObjectFilter {
  const selector: Selector | undefined = options.labelSelector ? parseSelector(options.labelSelector) : undefined;
  const { kind, namespace } = options;
  return (object) =>
    (kind === undefined || object.kind === kind) &&
    (namespace === undefined || object.metadata.namespace === namespace) &&
    (selector === undefined || selector.matches(object.metadata.labels));
}
