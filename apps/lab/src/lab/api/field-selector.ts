import { InvalidSelectorError, type KubernetesObject } from '@kemu/core';

// Field selectors (apimachinery/pkg/fields): `a=b`, `a==b`, `a!=b`, comma-separated, on the
// fields every kind supports (metadata.name, metadata.namespace) plus the pod fields clients use.
const supported = new Set(['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'spec.schedulerName']);

/** Compiles `fieldSelector` into a predicate; an unsupported field is a 400 BadRequest as upstream ("field label not supported"). */
export function compileFieldSelector(text: string | undefined): (object: KubernetesObject) => boolean {
  if (!text) return () => true;
  const terms = text.split(',').map((term) => {
    const match = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!match) throw new InvalidSelectorError(text, `invalid field selector term "${term}"`);
    const [, field, op, value] = match as unknown as [string, string, string, string];
    if (!supported.has(field)) throw new InvalidSelectorError(text, `field label not supported: ${field}`);
    return { path: field.split('.'), negate: op === '!=', value };
  });
  return (object) =>
    terms.every(({ path, negate, value }) => {
      let current: unknown = object;
      for (const part of path) current = (current as Record<string, unknown> | undefined)?.[part];
      const actual = current === undefined || current === null ? '' : String(current);
      return negate ? actual !== value : actual === value;
    });
}
