import { InvalidSelectorError } from '../errors/catalogue.js';
import { newRequirement, type Requirement, type SelectorOperator } from './requirement.js';

// A port of the lexer and recursive-descent parser in
// k8s.io/apimachinery/pkg/labels/selector.go (Parse), keeping its token rules and error wording.

type Token = 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'in' | '<' | '!=' | 'notin' | '(' | 'id' | 'error';

interface Scanned {
  token: Token;
  literal: string;
  position: number;
}

const keywords: Record<string, Token> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string) => '=!(),><'.includes(ch);

function scan(input: string): Scanned[] {
  const items: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos]!)) pos++;
    const start = pos;
    if (pos >= input.length) {
      items.push({ token: 'end', literal: '', position: pos });
      return items;
    }
    if (isSpecialSymbol(input[pos]!)) {
      // Longest special-symbol run that is still a token ("!=" over "!"), as scanSpecialSymbol.
      let buffer = '';
      let last: Scanned | undefined;
      while (pos < input.length && isSpecialSymbol(input[pos]!)) {
        buffer += input[pos];
        const token = keywords[buffer];
        if (token) {
          last = { token, literal: buffer, position: start };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      items.push(last ?? { token: 'error', literal: `error expected: keyword found '${buffer}'`, position: start });
      continue;
    }
    let buffer = '';
    while (pos < input.length && !isSpecialSymbol(input[pos]!) && !isWhitespace(input[pos]!)) buffer += input[pos++];
    items.push({ token: keywords[buffer] ?? 'id', literal: buffer, position: start });
  }
}

class Parser {
  private position = 0;
  private readonly items: Scanned[];

  constructor(private readonly input: string) {
    this.items = scan(input);
  }

  /** In a value context, `in` and `notin` are ordinary identifiers (`value in (in)`). */
  private lookahead(values: boolean): Scanned {
    const item = this.items[this.position]!;
    return values && (item.token === 'in' || item.token === 'notin') ? { ...item, token: 'id' } : item;
  }

  private consume(values: boolean): Scanned {
    const item = this.lookahead(values);
    this.position++;
    return item;
  }

  private fail(item: Scanned, message: string): never {
    throw new InvalidSelectorError(this.input, message, item.position);
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const next = this.lookahead(true);
      if (next.token === 'end') return requirements;
      if (next.token !== 'id' && next.token !== '!') {
        this.fail(next, `found '${next.literal}', expected: !, identifier, or 'end of string'`);
      }
      requirements.push(this.parseRequirement());
      const after = this.consume(true);
      if (after.token === 'end') return requirements;
      if (after.token !== ',') this.fail(after, `found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.lookahead(true);
      if (following.token !== 'id' && following.token !== '!') {
        this.fail(following, `found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let operator: SelectorOperator | undefined;
    let keyItem = this.consume(true);
    if (keyItem.token === '!') {
      operator = 'DoesNotExist';
      keyItem = this.consume(true);
    }
    if (keyItem.token !== 'id') this.fail(keyItem, `found '${keyItem.literal}', expected: identifier`);
    const key = keyItem.literal;
    // "!key" is complete by itself (parseKeyAndInferOperator); "!x=a" then fails on the '='.
    if (operator === 'DoesNotExist') return newRequirement(key, 'DoesNotExist', [], this.input);
    const next = this.lookahead(true).token;
    if (next === 'end' || next === ',') return newRequirement(key, 'Exists', [], this.input);
    const op = this.parseOperator();
    const values = op === 'In' || op === 'NotIn' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, values, this.input);
  }

  private parseOperator(): SelectorOperator {
    const item = this.consume(false);
    const map: Partial<Record<Token, SelectorOperator>> = {
      in: 'In',
      '=': 'Equals',
      '==': 'DoubleEquals',
      '>': 'Gt',
      '<': 'Lt',
      notin: 'NotIn',
      '!=': 'NotEquals',
    };
    const op = map[item.token];
    if (!op) this.fail(item, `found '${item.literal}', expected: in, notin, =, ==, !=, gt, lt`);
    return op;
  }

  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.token !== '(') this.fail(open, `found '${open.literal}' expected: '('`);
    const next = this.lookahead(true);
    if (next.token === ')') {
      this.consume(true);
      return [''];
    }
    if (next.token !== 'id' && next.token !== ',') {
      this.fail(next, `found '${next.literal}', expected: ',', ')' or identifier`);
    }
    const values = new Set<string>();
    for (;;) {
      const item = this.consume(true);
      if (item.token === 'id') {
        values.add(item.literal);
        const after = this.lookahead(true);
        if (after.token === ',') continue;
        if (after.token === ')') break;
        this.fail(after, `found '${after.literal}', expected: ',' or ')'`);
      } else if (item.token === ',') {
        // "(,", ",)" and ",," each stand for the empty value.
        if (values.size === 0) values.add('');
        const after = this.lookahead(true);
        if (after.token === ')') {
          values.add('');
          break;
        }
        if (after.token === ',') values.add('');
      } else {
        this.fail(item, `found '${item.literal}', expected: ',', or identifier`);
      }
    }
    const close = this.consume(true);
    if (close.token !== ')') this.fail(close, `found '${close.literal}', expected: ')'`);
    return [...values];
  }

  private parseExactValue(): string[] {
    const next = this.lookahead(true);
    if (next.token === 'end' || next.token === ',') return [''];
    const item = this.consume(true);
    if (item.token === 'id') return [item.literal];
    return this.fail(item, `found '${item.literal}', expected: identifier`);
  }
}

/**
 * Parses the string form of a label selector (`a=b,c!=d,e in (x,y),!f`) exactly as
 * apimachinery's `labels.Parse` does; requirements come back sorted by key.
 * @example parseSelectorString('tier in (web,api),!canary')
 */
export function parseSelectorRequirements(input: string): Requirement[] {
  const requirements = new Parser(input).parse();
  // Stable sort by key, as upstream sort.Sort(ByKey(items)) for determinism.
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
