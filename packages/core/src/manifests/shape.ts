import type { FieldPath } from './path.js';

// A small structural schema for the fields kemu reads: enough to say "expected integer, got
// string" at the right path. Fields not described are kept and not checked, as kubectl apply
// with a CRD-less client-side check would.

/** A field's expected shape. */
export type Shape =
  | { type: 'string'; oneOf?: readonly string[] }
  | { type: 'integer' }
  | { type: 'boolean' }
  | { type: 'intOrString' }
  | { type: 'any' }
  | { type: 'array'; items: Shape }
  | { type: 'map'; values: Shape }
  | { type: 'object'; fields: Readonly<Record<string, Shape>>; required?: readonly string[] };

/** A string field, optionally one of fixed values. */
export const str = (oneOf?: readonly string[]): Shape => (oneOf ? { type: 'string', oneOf } : { type: 'string' });
/** An integer field. */
export const int: Shape = { type: 'integer' };
/** A boolean field. */
export const bool: Shape = { type: 'boolean' };
/** An int-or-string field (ports, maxSurge). */
export const intOrString: Shape = { type: 'intOrString' };
/** Any value. */
export const any: Shape = { type: 'any' };
/** A list. */
export const arr = (items: Shape): Shape => ({ type: 'array', items });
/** A string-keyed map. */
export const map = (values: Shape = str()): Shape => ({ type: 'map', values });
/** An object with known fields; `required` lists those that must be present. */
export const obj = (fields: Record<string, Shape>, required: readonly string[] = []): Shape => ({
  type: 'object',
  fields,
  required,
});

/** Called once per mismatch. */
export type ShapeReporter = (path: FieldPath, message: string) => void;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** Checks `value` against `shape`, reporting every mismatch; null counts as absent, as in the API. */
export function checkShape(value: unknown, shape: Shape, path: FieldPath, report: ShapeReporter): void {
  // One mutable path for the whole walk; a copy is made only when something is reported.
  walk(value, shape, [...path], report);
}

function walk(value: unknown, shape: Shape, path: (string | number)[], report: ShapeReporter): void {
  if (value === null || value === undefined) return;
  switch (shape.type) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') report([...path], `expected a string, got ${describe(value)}`);
      else if (shape.oneOf && !shape.oneOf.includes(value)) {
        report([...path], `Unsupported value: "${value}": supported values: ${shape.oneOf.map((v) => `"${v}"`).join(', ')}`);
      }
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) report([...path], `expected an integer, got ${describe(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') report([...path], `expected a boolean, got ${describe(value)}`);
      return;
    case 'intOrString':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
        report([...path], `expected an integer or a string, got ${describe(value)}`);
      }
      return;
    case 'array':
      if (!Array.isArray(value)) {
        report([...path], `expected a list, got ${describe(value)}`);
        return;
      }
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walk(value[i], shape.items, path, report);
        path.pop();
      }
      return;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) {
        report([...path], `expected a mapping, got ${describe(value)}`);
        return;
      }
      for (const key in value) {
        path.push(key);
        walk((value as Record<string, unknown>)[key], shape.values, path, report);
        path.pop();
      }
      return;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        report([...path], `expected a mapping, got ${describe(value)}`);
        return;
      }
      const record = value as Record<string, unknown>;
      if (shape.required) {
        for (const name of shape.required) {
          if (record[name] === undefined || record[name] === null) report([...path, name], 'Required value');
        }
      }
      for (const name in shape.fields) {
        const field = record[name];
        if (field === undefined || field === null) continue;
        path.push(name);
        walk(field, shape.fields[name]!, path, report);
        path.pop();
      }
      return;
    }
  }
}
