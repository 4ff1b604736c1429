/** Tag-filter expressions (SPEC §5): parsing, precedence, evaluation, errors, tagQuery. */
import { describe, expect, test } from 'bun:test';
import { evaluate, FilterSyntaxError, fromTagQuery, parseFilter, parseTagList, strategyOf, toExpression, toTagQuery } from '../../src/filter/index.ts';

const matches = (expr: string, tags: string[]) => evaluate(parseFilter(expr), tags);

describe('operators in every spelling', () => {
  const cases: [string, string[], boolean][] = [
    ['a', ['a'], true],
    ['a', ['b'], false],
    ['a,b', ['b'], true],
    ['a, b', ['c'], false],
    ['a or b', ['b'], true],
    ['a OR b', ['a'], true],
    ['a Or b', ['x'], false],
    ['a || b', ['b'], true],
    ['a+b', ['a', 'b'], true],
    ['a+b', ['a'], false],
    ['a and b', ['a', 'b'], true],
    ['a AND b', ['b'], false],
    ['a && b', ['a', 'b'], true],
    ['!a', ['b'], true],
    ['!a', ['a'], false],
    ['not a', ['a'], false],
    ['NOT a', [], true],
    ['-a', ['a'], false],
    ['-a', ['b'], true],
    ['not not a', ['a'], true],
    ['!!a', [], false],
  ];
  for (const [expr, tags, expected] of cases) test(`${expr} against [${tags}] is ${expected}`, () => expect(matches(expr, tags)).toBe(expected));
});

describe('precedence NOT > AND > OR, and parentheses', () => {
  test('a or b and c = a or (b and c)', () => {
    expect(matches('a or b and c', ['a'])).toBe(true);
    expect(matches('a or b and c', ['b'])).toBe(false);
    expect(matches('a or b and c', ['b', 'c'])).toBe(true);
  });
  test('(a or b) and c', () => {
    expect(matches('(a or b) and c', ['a'])).toBe(false);
    expect(matches('(a or b) and c', ['a', 'c'])).toBe(true);
  });
  test('not a and b = (not a) and b', () => {
    expect(matches('not a and b', ['b'])).toBe(true);
    expect(matches('not a and b', ['a', 'b'])).toBe(false);
  });
  test('not (a and b)', () => {
    expect(matches('not (a and b)', ['a'])).toBe(true);
    expect(matches('not (a and b)', ['a', 'b'])).toBe(false);
  });
  test('nested parentheses and free whitespace', () => {
    expect(matches('  ((a) , ( b+c ))  ', ['b', 'c'])).toBe(true);
    expect(matches('((a),(b+c))', ['c'])).toBe(false);
  });
  test('mixed spellings in one expression', () => expect(matches('a && !b || c+d', ['c', 'd'])).toBe(true));
});

describe('case and tag characters', () => {
  test('tags and words are case-insensitive', () => {
    expect(matches('WEB And Api', ['web', 'API'])).toBe(true);
    expect(matches('web', ['Web'])).toBe(true);
  });
  test('- inside a tag is part of the tag', () => {
    expect(matches('web-dev', ['web-dev'])).toBe(true);
    expect(matches('web-dev', ['web'])).toBe(false);
  });
  test('- at the start of a term is NOT', () => {
    expect(matches('a + -test', ['a'])).toBe(true);
    expect(matches('a + -test', ['a', 'test'])).toBe(false);
    expect(matches('a,-b', [])).toBe(true);
  });
  test('tag characters . : / @ _ are allowed', () => {
    expect(matches('team@acme.io', ['team@acme.io'])).toBe(true);
    expect(matches('env:prod/eu_1', ['env:prod/eu_1'])).toBe(true);
  });
  test('words inside tags are tags: "android" and "oracle" are not operators', () => {
    expect(matches('android', ['android'])).toBe(true);
    expect(matches('oracle or notes', ['notes'])).toBe(true);
  });
});

describe('the 1MCP Codex guide examples', () => {
  test('files OR git OR collaboration', () => {
    expect(matches('files OR git OR collaboration', ['git'])).toBe(true);
    expect(matches('files OR git OR collaboration', ['web'])).toBe(false);
  });
  test('(frontend OR backend) AND development', () => {
    expect(matches('(frontend OR backend) AND development', ['backend', 'development'])).toBe(true);
    expect(matches('(frontend OR backend) AND development', ['frontend'])).toBe(false);
  });
  test('web AND NOT test AND NOT debug', () => {
    expect(matches('web AND NOT test AND NOT debug', ['web'])).toBe(true);
    expect(matches('web AND NOT test AND NOT debug', ['web', 'debug'])).toBe(false);
  });
  test('(filesystem AND development) OR (github AND collaboration)', () => {
    const e = '(filesystem AND development) OR (github AND collaboration)';
    expect(matches(e, ['github', 'collaboration'])).toBe(true);
    expect(matches(e, ['filesystem', 'collaboration'])).toBe(false);
  });
});

describe('errors name what was expected and the column', () => {
  const errors: [string, string][] = [
    ['', 'expected a tag (the expression is empty) at column 1'],
    ['   ', 'expected a tag (the expression is empty) at column 4'],
    ['web and', "expected a tag after 'and', found the end at column 8"],
    ['web and or api', "expected a tag after 'and', found 'or' at column 9"],
    ['(web', "expected ')' to close the '(' at column 1 at column 5"],
    ['web)', "unmatched ')' at column 4"],
    ['web api', "expected an operator (and, or, not) before 'api' at column 5"],
    ['web $ api', "unexpected character '$' at column 5"],
    ['()', "expected an expression inside '()' at column 2"],
    ['a,', "expected a tag after ',', found the end at column 3"],
    ['not', "expected a tag after 'not', found the end at column 4"],
  ];
  for (const [expr, message] of errors) {
    test(JSON.stringify(expr), () => {
      let error: unknown;
      try {
        parseFilter(expr);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FilterSyntaxError);
      expect((error as Error).message).toBe(message);
    });
  }
  test('the column is exposed for callers', () => {
    try {
      parseFilter('web and or api');
      throw new Error('did not throw');
    } catch (e) {
      expect((e as FilterSyntaxError).column).toBe(9);
    }
  });
});

describe('tagQuery (1MCP presets.json form) and strategy', () => {
  test('round trip through tagQuery keeps the meaning', () => {
    for (const expr of ['a', 'a or b', 'a and b', 'not a', '(a or b) and not (c and d)', 'a,b+c,-d']) {
      const ast = parseFilter(expr);
      expect(fromTagQuery(JSON.parse(JSON.stringify(toTagQuery(ast))))).toEqual(ast);
    }
  });
  test('the JSON shape', () => {
    expect(toTagQuery(parseFilter('web or (api and not test)'))).toEqual({ $or: [{ tag: 'web' }, { $and: [{ tag: 'api' }, { $not: { tag: 'test' } }] }] });
  });
  test('strategy: or / and for flat tag lists, advanced otherwise', () => {
    expect(strategyOf(parseFilter('a,b,c'))).toBe('or');
    expect(strategyOf(parseFilter('a'))).toBe('or');
    expect(strategyOf(parseFilter('a+b'))).toBe('and');
    expect(strategyOf(parseFilter('a+b,c'))).toBe('advanced');
    expect(strategyOf(parseFilter('not a'))).toBe('advanced');
  });
  test('lenient reading: $in and $all, string items', () => {
    expect(evaluate(fromTagQuery({ $in: ['a', 'b'] }), ['b'])).toBe(true);
    expect(evaluate(fromTagQuery({ $all: ['a', 'b'] }), ['b'])).toBe(false);
    expect(evaluate(fromTagQuery({ $or: ['A', { tag: 'b' }] }), ['a'])).toBe(true);
  });
  test('an unknown form is a clear error', () => {
    expect(() => fromTagQuery({ $xor: [] })).toThrow('unknown form');
    expect(() => fromTagQuery({ $or: [] })).toThrow('tagQuery.$or: expected a non-empty array');
  });
  test('canonical expression parses back to the same tree', () => {
    for (const expr of ['a,b+c', '(a,b)+c', '!(a+b)', '-a,b', 'a+(b,(c+-d))']) {
      const ast = parseFilter(expr);
      expect(parseFilter(toExpression(ast))).toEqual(ast);
    }
  });
  test('parseTagList trims, lowercases, dedupes and drops empties', () => {
    expect(parseTagList(' Web, api,,web ')).toEqual(['web', 'api']);
    expect(parseTagList(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
  });
});
