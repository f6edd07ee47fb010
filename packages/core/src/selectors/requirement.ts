import { InvalidSelectorError } from '../errors/catalogue.js';
import { checkLabelValue, checkQualifiedName } from '../validation/names.js';

/** Operators of a selector requirement: the string form's and the structured form's. */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'DoubleEquals' | 'NotEquals' | 'Gt' | 'Lt';

/** One condition on one label key, as apimachinery's `labels.Requirement`. */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Sorted, de-duplicated; empty for Exists/DoesNotExist. */
  readonly values: readonly string[];
}

/** Labels as a plain map. */
export type Labels = Readonly<Record<string, string>>;

/**
 * Builds a requirement with apimachinery's NewRequirement checks (key and value syntax, value
 * counts per operator, integers for Gt/Lt); `selector` names the source in the error.
 */
export function newRequirement(
  key: string,
  operator: SelectorOperator,
  values: readonly string[],
  selector: string,
): Requirement {
  const problems: string[] = [];
  for (const e of checkQualifiedName(key)) problems.push(`key "${key}": ${e}`);
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) problems.push("for 'in', 'notin' operators, values set can't be empty");
      break;
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
      if (values.length !== 1) problems.push('exact-match compatibility requires one single value');
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) problems.push('values set must be empty for exists and does not exist');
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) problems.push("for 'Gt', 'Lt' operators, exactly one value is required");
      for (const v of values) {
        if (!/^[+-]?\d+$/.test(v)) problems.push(`for 'Gt', 'Lt' operators, the value must be an integer (got "${v}")`);
      }
      break;
  }
  for (const v of values) for (const e of checkLabelValue(v)) problems.push(`value "${v}": ${e}`);
  if (problems.length > 0) throw new InvalidSelectorError(selector, problems.join('; '));
  return { key, operator, values: [...new Set(values)].sort() };
}

/** Whether one requirement holds for `labels` (labels.Requirement.Matches). */
export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'In':
    case 'Equals':
    case 'DoubleEquals':
      return has && r.values.includes(labels[r.key]!);
    case 'NotIn':
    case 'NotEquals':
      return !has || !r.values.includes(labels[r.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !/^[+-]?\d+$/.test(labels[r.key]!)) return false;
      const actual = BigInt(labels[r.key]!);
      const bound = BigInt(r.values[0]!);
      return r.operator === 'Gt' ? actual > bound : actual < bound;
    }
  }
}

/** The string form of one requirement, as `Requirement.String()` writes it. */
export function formatRequirement(r: Requirement): string {
  const values = r.values.join(',');
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'Equals':
      return `${r.key}=${values}`;
    case 'DoubleEquals':
      return `${r.key}==${values}`;
    case 'NotEquals':
      return `${r.key}!=${values}`;
    case 'In':
      return `${r.key} in (${values})`;
    case 'NotIn':
      return `${r.key} notin (${values})`;
    case 'Gt':
      return `${r.key}>${values}`;
    case 'Lt':
      return `${r.key}<${values}`;
  }
}
