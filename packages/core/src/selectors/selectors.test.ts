import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidSelectorError } from '../errors/catalogue.js';
import { labelSelector, mapSelector, parseSelector } from './label-selector.js';

// Cases from k8s.io/apimachinery/pkg/labels/selector_test.go (TestSelectorParse, TestSelectorMatches).
describe('string selectors (labels.Parse)', () => {
  it.each([
    'x=a,y=b,z=c',
    '',
    'x!=a,y=b',
    'x=',
    'x= ',
    'x=,z= ',
    'x= ,z= ',
    '!x',
    'x>1',
    'x>1,z<5',
    'x>1,z<5,a notin (b,c)',
    'x in (foo,,baz),y,z notin ()',
  ])('parses %j', (input) => {
    expect(() => parseSelector(input)).not.toThrow();
  });

  it.each(['x=a||y=b', 'x==a==b', '!x=a', 'x<a', 'x in (a', 'x in a', ',x', 'x,', 'x notin', '=a'])('rejects %j', (input) => {
    expect(() => parseSelector(input)).toThrow(InvalidSelectorError);
  });

  it.each<[string, Record<string, string>]>([
    ['', { x: 'y' }],
    ['x=y', { x: 'y' }],
    ['x=y,z=w', { x: 'y', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'a' }],
    ['notin=in', { notin: 'in' }],
    ['x', { x: 'z' }],
    ['!x', { y: 'z' }],
    ['x>1', { x: '2' }],
    ['x<1', { x: '0' }],
    ['x in (a,b)', { x: 'b' }],
    ['x notin (a,b)', { y: 'a' }],
    ['x in (,a)', { x: '' }],
  ])('%j matches %j', (input, labels) => {
    expect(parseSelector(input).matches(labels)).toBe(true);
  });

  it.each<[string, Record<string, string>]>([
    ['x=z', {}],
    ['x=y', { x: 'z' }],
    ['x=y,z=w', { x: 'w', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'w' }],
    ['x', { y: 'z' }],
    ['!x', { x: 'z' }],
    ['x>1', { x: '0' }],
    ['x<1', { x: '2' }],
    ['x>1', { x: 'abc' }],
    ['x in (a,b)', {}],
  ])('%j does not match %j', (input, labels) => {
    expect(parseSelector(input).matches(labels)).toBe(false);
  });

  it('treats in and notin as values inside a value set', () => {
    // ParserContext Values: "value in (in)" is legal upstream.
    expect(parseSelector('value in (in,notin)').matches({ value: 'notin' })).toBe(true);
  });

  it('prints requirements sorted by key, as Selector.String()', () => {
    expect(parseSelector('z=1,a in (y,x),!m').toString()).toBe('a in (x,y),!m,z=1');
  });

  it('reports where the parse failed', () => {
    try {
      parseSelector('a=b,c==d==e');
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidSelectorError).position).toBe(8);
      expect((error as InvalidSelectorError).message).toContain("expected: ',' or 'end of string'");
    }
  });

  it('rejects an invalid key and an invalid value', () => {
    expect(() => parseSelector('-bad=x')).toThrow(/key "-bad"/);
    expect(() => parseSelector(`a=${'v'.repeat(64)}`)).toThrow(/no more than 63 characters/);
  });

  it('round-trips: parsing the printed form gives the same selector', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
    const value = fc.stringMatching(/^[a-z0-9]{1,4}$/);
    const requirement = fc.oneof(
      fc.tuple(key, value).map(([k, v]) => `${k}=${v}`),
      fc.tuple(key, value).map(([k, v]) => `${k}!=${v}`),
      key,
      key.map((k) => `!${k}`),
      fc.tuple(key, fc.array(value, { minLength: 1, maxLength: 3 })).map(([k, vs]) => `${k} in (${vs.join(',')})`),
    );
    fc.assert(
      fc.property(fc.array(requirement, { minLength: 1, maxLength: 4 }), (parts) => {
        const printed = parseSelector(parts.join(',')).toString();
        expect(parseSelector(printed).toString()).toBe(printed);
      }),
    );
  });
});

// metav1.LabelSelectorAsSelector (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go).
describe('structured selectors (LabelSelectorAsSelector)', () => {
  it('matches nothing for a missing selector and everything for an empty one', () => {
    expect(labelSelector(undefined).matches({ a: 'b' })).toBe(false);
    expect(labelSelector(null).matches({})).toBe(false);
    expect(labelSelector({}).matches({ a: 'b' })).toBe(true);
  });

  it('ands matchLabels and matchExpressions', () => {
    const selector = labelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    expect(selector.matches({ app: 'web', tier: 'edge' })).toBe(true);
    expect(selector.matches({ app: 'web', tier: 'edge', canary: 'true' })).toBe(false);
    expect(selector.matches({ app: 'web', tier: 'back' })).toBe(false);
  });

  it('rejects In without values and Exists with values', () => {
    expect(() => labelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(/can't be empty/);
    expect(() => labelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toThrow(/must be empty/);
  });

  it('rejects an unknown operator', () => {
    const bad = { matchExpressions: [{ key: 'a', operator: 'Gt' as 'In', values: ['1'] }] };
    expect(() => labelSelector(bad)).toThrow(/not a valid label selector operator/);
  });

  it('treats an empty Service selector map as selecting nothing', () => {
    // A Service without a selector gets no managed EndpointSlices (endpointslice controller).
    expect(mapSelector({}).matches({ a: 'b' })).toBe(false);
    expect(mapSelector({ a: 'b' }).matches({ a: 'b', c: 'd' })).toBe(true);
  });
});
