import { InvalidSelectorError } from '../errors/catalogue.js';
import type { LabelSelector } from '../objects/meta.js';
import { parseSelectorRequirements } from './parse.js';
import { formatRequirement, type Labels, newRequirement, type Requirement, requirementMatches } from './requirement.js';

/**
 * A compiled label selector. `nothing` matches no object (a nil structured selector);
 * an empty requirement list matches every object.
 */
export class Selector {
  private constructor(
    /** The requirements, sorted by key; all must hold. */
    readonly requirements: readonly Requirement[],
    /** True for the selector that matches nothing. */
    readonly nothing: boolean,
  ) {}

  /** Matches every object (an empty selector `{}`). */
  static everything(): Selector {
    return new Selector([], false);
  }

  /** Matches no object (a nil selector, as metav1.LabelSelectorAsSelector returns for nil). */
  static nothing(): Selector {
    return new Selector([], true);
  }

  /** @internal */
  static of(requirements: Requirement[]): Selector {
    return new Selector(requirements, false);
  }

  /** True when every requirement holds for `labels`. */
  matches(labels: Labels | undefined): boolean {
    if (this.nothing) return false;
    const l = labels ?? {};
    for (const r of this.requirements) if (!requirementMatches(r, l)) return false;
    return true;
  }

  /** True when the selector matches every object. */
  isEverything(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  /** The string form, as `Selector.String()`. */
  toString(): string {
    return this.requirements.map(formatRequirement).join(',');
  }
}

/** Parses the string form (`a=b,c in (x,y),!d`); throws {@link InvalidSelectorError} with the position. */
export function parseSelector(input: string): Selector {
  return Selector.of(parseSelectorRequirements(input));
}

/**
 * Compiles a structured `metav1.LabelSelector` (matchLabels + matchExpressions) as
 * LabelSelectorAsSelector does: `undefined`/`null` matches nothing, `{}` matches everything.
 */
export function labelSelector(selector: LabelSelector | null | undefined): Selector {
  if (selector === undefined || selector === null) return Selector.nothing();
  const text = JSON.stringify(selector);
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push(newRequirement(key, 'Equals', [String(value)], text));
  }
  for (const expression of selector.matchExpressions ?? []) {
    const operator = expression.operator;
    if (operator !== 'In' && operator !== 'NotIn' && operator !== 'Exists' && operator !== 'DoesNotExist') {
      throw new InvalidSelectorError(
        text,
        `"${String(operator)}" is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)`,
      );
    }
    requirements.push(newRequirement(expression.key, operator, expression.values ?? [], text));
  }
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return Selector.of(requirements);
}

/**
 * A Service-style selector (a plain map). Kubernetes treats an empty or missing map on a Service
 * as "select nothing" (no EndpointSlices are managed), unlike an empty LabelSelector.
 */
export function mapSelector(map: Readonly<Record<string, string>> | undefined): Selector {
  if (!map || Object.keys(map).length === 0) return Selector.nothing();
  return labelSelector({ matchLabels: map });
}
