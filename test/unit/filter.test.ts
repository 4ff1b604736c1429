/** Tag-filter expressions (docs/configuration.md): parsing, precedence, evaluation, errors, tagQuery. */
import { describe, expect, test } from 'bun:test';
import { OneMcpError } from '../../src/errors.ts';
import {
  evaluate,
  evaluateTagQuery,
  FilterSyntaxError,
  fromTagQuery,
  parseFilter,
  parseTagList,
  strategyOf,
  toExpression,
  toTagQuery,
  tryParseFilter,
  viewFromTags,
} from '../../src/filter/index.ts';
import type { FilterAst } from '../../src/filter/index.ts';
import { seededRandom } from '../helpers/random.ts';

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
    expect(matches('a AnD NoT b', ['a'])).toBe(true);
    expect(matches('a oR b', ['b'])).toBe(true);
    expect(matches('NOT b', ['B'])).toBe(false);
  });
  test('a Set of mixed-case server tags is compared case-insensitively too', () => {
    expect(evaluate(parseFilter('web'), new Set(['Web']))).toBe(true);
    expect(evaluate(parseFilter('not api'), new Set(['API']))).toBe(false);
  });
  test('tags are stored lower case', () => expect(parseFilter('Web-Dev')).toEqual({ kind: 'tag', tag: 'web-dev' }));
  test('- inside a tag is part of the tag', () => {
    expect(matches('web-dev', ['web-dev'])).toBe(true);
    expect(matches('web-dev', ['web'])).toBe(false);
  });
  test('-test alone is NOT test; a trailing or doubled - stays in the tag', () => {
    expect(matches('-test', ['web'])).toBe(true);
    expect(matches('-test', ['test'])).toBe(false);
    expect(parseFilter('web-')).toEqual({ kind: 'tag', tag: 'web-' });
    expect(parseFilter('a--b')).toEqual({ kind: 'tag', tag: 'a--b' });
    expect(parseFilter('--a')).toEqual({ kind: 'not', expr: { kind: 'not', expr: { kind: 'tag', tag: 'a' } } });
  });
  test('- after ( or an operator word is NOT', () => {
    expect(parseFilter('(-a)')).toEqual({ kind: 'not', expr: { kind: 'tag', tag: 'a' } });
    expect(matches('web and -test', ['web', 'test'])).toBe(false);
    expect(matches('web or -test', ['test'])).toBe(false);
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
    ['(web', "expected ')' to close the '(' from column 1, found the end at column 5"],
    ['(a or (b)', "expected ')' to close the '(' from column 1, found the end at column 10"],
    ['a + -', "expected a tag after '-', found the end at column 6"],
    ['a - b', "expected an operator (and, or, not) before '-' at column 3"],
    ['a && || b', "expected a tag after '&&', found '||' at column 6"],
    ['a & b', "unexpected character '&' at column 3"],
    ['web and (api or )', "expected a tag after 'or', found ')' at column 17"],
    ['(a)(b)', "expected an operator (and, or, not) before '(' at column 4"],
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
  test('errors are OneMcpErrors (exit code 2) so the CLI shows them as usage errors', () => {
    expect(() => parseFilter('a and')).toThrow(OneMcpError);
  });
  test('tryParseFilter returns plain error info instead of throwing', () => {
    expect(tryParseFilter('web and or api')).toEqual({
      ok: false,
      error: { message: "expected a tag after 'and', found 'or' at column 9", reason: "expected a tag after 'and', found 'or'", column: 9, expression: 'web and or api' },
    });
    expect(tryParseFilter('a,b')).toEqual({ ok: true, ast: { kind: 'or', items: [{ kind: 'tag', tag: 'a' }, { kind: 'tag', tag: 'b' }] } });
  });
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
    expect(() => fromTagQuery({})).toThrow('tagQuery is empty, so it selects nothing');
    expect(() => fromTagQuery('web')).toThrow('tagQuery: expected {"tag":"x"}');
    expect(() => fromTagQuery({ $and: [{ tag: 'a' }, { $or: [{ tag: '' }] }] }, 'preset "dev" tagQuery')).toThrow('preset "dev" tagQuery.$and[1].$or[0].tag: a tag cannot be empty');
  });
  test('1MCP shapes: {"tag":{"$in":[…]}}, {"tag":{"$not":"x"}} and the older {"$advanced":"expr"}', () => {
    expect(fromTagQuery({ tag: { $in: ['web', 'API'] } })).toEqual(parseFilter('web or api'));
    expect(fromTagQuery({ tag: { $not: 'test' } })).toEqual(parseFilter('not test'));
    expect(fromTagQuery({ $advanced: 'web+api-test,-debug' })).toEqual(parseFilter('(web and api-test) or not debug'));
    expect(() => fromTagQuery({ $advanced: 'web and' })).toThrow("tagQuery.$advanced: expected a tag after 'and', found the end at column 8 in \"web and\"");
  });
  test('evaluateTagQuery reads and evaluates a preset that has only tagQuery', () => {
    const q = { $and: [{ tag: 'web' }, { $not: { tag: 'test' } }] };
    expect(evaluateTagQuery(q, ['WEB'])).toBe(true);
    expect(evaluateTagQuery(q, ['web', 'test'])).toBe(false);
    expect(evaluateTagQuery({ $in: ['a', 'b'] }, [])).toBe(false);
  });
  test('strategy detection from a stored tagQuery', () => {
    expect(strategyOf(fromTagQuery({ $or: [{ tag: 'a' }, { tag: 'b' }] }))).toBe('or');
    expect(strategyOf(fromTagQuery({ $and: [{ tag: 'a' }, { tag: 'b' }] }))).toBe('and');
    expect(strategyOf(fromTagQuery({ $and: [{ tag: 'a' }, { $not: { tag: 'b' } }] }))).toBe('advanced');
    expect(strategyOf(fromTagQuery({ $or: [{ tag: 'a' }, { $and: [{ tag: 'b' }, { tag: 'c' }] }] }))).toBe('advanced');
  });
  test('canonical expression parses back to the same tree', () => {
    for (const expr of ['a,b+c', '(a,b)+c', '!(a+b)', '-a,b', 'a+(b,(c+-d))', '!(a,b)', 'not not a', '(a+b)+(c,d)']) {
      const ast = parseFilter(expr);
      expect(parseFilter(toExpression(ast))).toEqual(ast);
    }
  });
  test('nested groups of the same operator are flattened, so (a+b)+c is a plain AND', () => {
    expect(parseFilter('(a+b)+c')).toEqual(parseFilter('a+b+c'));
    expect(strategyOf(parseFilter('(a,b),(c)'))).toBe('or');
    expect(toTagQuery(parseFilter('a+(b+c)'))).toEqual({ $and: [{ tag: 'a' }, { tag: 'b' }, { tag: 'c' }] });
  });
  test('canonical text spells words out and brackets only where needed', () => {
    expect(toExpression(parseFilter('A+B,-C'))).toBe('a and b or not c');
    expect(toExpression(parseFilter('(a,b)+!(c+d)'))).toBe('(a or b) and not (c and d)');
    expect(toExpression(fromTagQuery({ $not: { $or: [{ tag: 'x' }, { tag: 'y' }] } }))).toBe('not (x or y)');
  });
  test('parseTagList trims, lowercases, dedupes and drops empties', () => {
    expect(parseTagList(' Web, api,,web ')).toEqual(['web', 'api']);
    expect(parseTagList(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(parseTagList(' , ')).toEqual([]);
  });
  test('viewFromTags is the OR of the tags', () => {
    const view = viewFromTags(parseTagList('web, API'));
    expect(view).toEqual(parseFilter('web or api'));
    expect(evaluate(view, ['api'])).toBe(true);
    expect(evaluate(view, ['db'])).toBe(false);
    expect(viewFromTags(['Solo'])).toEqual({ kind: 'tag', tag: 'solo' });
    expect(strategyOf(view)).toBe('or');
    expect(() => viewFromTags([])).toThrow('expected at least one tag');
  });
});

describe('generated trees (seeded, repeatable)', () => {
  const random = seededRandom(5150);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const TAGS = ['web', 'api', 'web-dev', 'db.prod', 'team@x', 'a:b/c_d'];
  // Trees as the parser builds them: no and directly inside and, no or directly inside or.
  const tree = (depth: number, parent?: 'and' | 'or'): FilterAst => {
    const r = random();
    if (depth === 0 || r < 0.3) return { kind: 'tag', tag: pick(TAGS) };
    if (r < 0.45) return { kind: 'not', expr: tree(depth - 1) };
    const kind = parent === 'and' ? 'or' : parent === 'or' ? 'and' : pick(['and', 'or'] as const);
    return { kind, items: Array.from({ length: 2 + Math.floor(random() * 2) }, () => tree(depth - 1, kind)) };
  };
  // Fully bracketed text with a random spelling for every operator and random case and spacing.
  const spell = (node: FilterAst): string => {
    const sp = () => pick(['', ' ', '  ']);
    const cased = (w: string) => pick([w, w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1)]);
    if (node.kind === 'tag') return cased(node.tag);
    if (node.kind === 'not') return `${pick(['!', '-', `${cased('not')} `])}${sp()}${spell(node.expr)}`;
    const ops = node.kind === 'and' ? ['+', '&&', ` ${cased('and')} `] : [',', '||', ` ${cased('or')} `];
    return `(${sp()}${node.items.map(spell).join(`${sp()}${pick(ops)}${sp()}`)}${sp()})`;
  };

  test('500 trees: any spelling parses to the tree; canonical text and tagQuery round-trip', () => {
    for (let i = 0; i < 500; i++) {
      const ast = tree(4);
      const text = spell(ast);
      expect({ text, ast: parseFilter(text) }).toEqual({ text, ast });
      expect(parseFilter(toExpression(ast))).toEqual(ast);
      expect(fromTagQuery(JSON.parse(JSON.stringify(toTagQuery(ast))))).toEqual(ast);
      const tags = TAGS.filter(() => random() < 0.5);
      expect(evaluateTagQuery(toTagQuery(ast), tags)).toBe(evaluate(ast, tags));
    }
  });
});
