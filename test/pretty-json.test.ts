import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prettyJson } from '../src/store/pretty-json.js';

/** What prettyJson must equal: lowdb's format, re-indented the way a nested record sits in the store file. */
const expected = (value: unknown, indent: string) => JSON.stringify(value, null, 2).replaceAll('\n', `\n${indent}`);

/** Strings made mostly of what a scanner could mistake for structure. */
const trickyString = fc.string({
  unit: fc.constantFrom('"', '\\', ':', ',', '{', '}', '[', ']', ' ', '\n', 'é', '🙂', '\u2028', '\u0000', '\ud800', '\udfff', 'a', '/'),
});

const trickyKey = fc.oneof(trickyString, fc.constantFrom('__proto__', 'constructor', '', '0', '10', 'toJSON'));

/** Objects built with Object.fromEntries, so `__proto__` is an own key, as JSON.parse makes it. */
const trickyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    trickyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(trickyKey, tie('value')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
  ),
})).value;

const indent = fc.constantFrom('', '  ', '    ', '\t');

describe('prettyJson', () => {
  it('equals JSON.stringify(x, null, 2) for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), indent, (value, prefix) => {
        expect(prettyJson(JSON.stringify(value), prefix)).toBe(expected(value, prefix));
      }),
      { numRuns: 500 },
    );
  });

  it('equals it for unicode strings', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), indent, (value, prefix) => {
        expect(prettyJson(JSON.stringify(value), prefix)).toBe(expected(value, prefix));
      }),
      { numRuns: 300 },
    );
  });

  it('equals it for objects whose keys and strings hold quotes, backslashes and brackets', () => {
    fc.assert(
      fc.property(trickyValue, indent, (value, prefix) => {
        expect(prettyJson(JSON.stringify(value), prefix)).toBe(expected(value, prefix));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['an empty object', {}],
    ['an empty array', []],
    ['nested empties', { a: {}, b: [], c: [[], {}, [{}]] }],
    ['a scalar', 'x:,{}'],
    ['an own __proto__ key', JSON.parse('{"__proto__":{"x":[1,"\\"]"]},"y":"\\\\"}') as unknown],
  ])('equals it for %s', (_name, value) => {
    expect(prettyJson(JSON.stringify(value), '    ')).toBe(expected(value, '    '));
  });
});
