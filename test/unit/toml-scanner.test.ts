/**
 * The TOML statement scanner (src/integrations/toml-text.ts): statements found where they are, whatever
 * multi-line strings, arrays, inline tables and comments hold. Generated documents are checked with
 * smol-toml first (so the generator only writes valid TOML), then the scanner must find exactly the
 * statements the generator wrote, at their exact offsets.
 */
import { describe, expect, test } from 'bun:test';
import { parse } from 'smol-toml';
import { inlineEntries, scanStatements, type Statement } from '../../src/integrations/toml-text.ts';
import { seededRandom } from '../helpers/random.ts';

/** What the statements cover, as text: handy to read in a failure. */
const shapes = (text: string, statements: Statement[]) =>
  statements.map((s) => (s.kind === 'header' ? `${s.array ? '[[' : '['}${s.path.join('|')}${s.array ? ']]' : ']'}` : `${s.table.join('|')} :: ${s.key.join('|')} = ${text.slice(s.valueStart, s.valueEnd)}`));

describe('scanStatements: hand-picked traps', () => {
  test('a multi-line basic string holding what looks like headers, keys and comments is one statement', () => {
    const text = 'a = """\n[not.a.header]\nb = 1 # no\n\\""" still inside\n"""\n[real]\nc = 2\n';
    expect(shapes(text, scanStatements(text))).toEqual([' :: a = """\n[not.a.header]\nb = 1 # no\n\\""" still inside\n"""', '[real]', 'real :: c = 2']);
  });

  test('a multi-line literal string: a backslash before the closing quotes escapes nothing', () => {
    const text = "path = '''C:\\dir\\'''\nnext = 1\n";
    expect(parse(text)).toEqual({ path: 'C:\\dir\\', next: 1 });
    expect(shapes(text, scanStatements(text))).toEqual([" :: path = '''C:\\dir\\'''", ' :: next = 1']);
  });

  test('up to two quotes right before the closing delimiter belong to the content', () => {
    const text = 'a = """x""""\nb = \'\'\'y\'\'\'\'\'\nc = """"""\n';
    expect(parse(text)).toEqual({ a: 'x"', b: "y''", c: '' });
    expect(shapes(text, scanStatements(text))).toEqual([' :: a = """x""""', " :: b = '''y'''''", ' :: c = """"""']);
  });

  test('an array over several lines with comments and strings holding ] [ # = and quotes', () => {
    const text = 'args = [\n  "]", # a comment with ] and "quote\n  \'[\',\n  """\n]\n""", [1, [2]], { t = "}" },\n] # after\nnext = true\n';
    expect(parse(text)).toMatchObject({ next: true });
    const statements = scanStatements(text);
    expect(statements).toHaveLength(2);
    expect(text.slice(statements[0]!.start, statements[0]!.end)).toBe(text.slice(0, text.indexOf('next')));
    expect(shapes(text, statements)[1]).toBe(' :: next = true');
  });

  test('escaped quotes and a trailing backslash pair in one-line basic strings', () => {
    const text = 'a = "say \\"hi\\" # not a comment"\nb = "ends with \\\\" # comment\n';
    expect(parse(text)).toEqual({ a: 'say "hi" # not a comment', b: 'ends with \\' });
    expect(shapes(text, scanStatements(text))).toEqual([' :: a = "say \\"hi\\" # not a comment"', ' :: b = "ends with \\\\"']);
  });

  test('quoted and dotted keys, headers with spaces and comments, arrays of tables', () => {
    const text = '"a.b" . c = 1\n[ t . "x y" ] # header\n\'lit.key\' = 2\n[[arr]]\nk = 3\n[[arr]]\n"\\u0041" = 4\n';
    expect(parse(text)).toMatchObject({ 'a.b': { c: 1 }, t: { 'x y': { 'lit.key': 2 } }, arr: [{ k: 3 }, { A: 4 }] });
    expect(shapes(text, scanStatements(text))).toEqual([' :: a.b|c = 1', '[t|x y]', "t|x y :: lit.key = 2", '[[arr]]', 'arr :: k = 3', '[[arr]]', 'arr :: A = 4']);
  });

  test('CRLF line ends and no final line break: offsets stop before the \\r, the last statement ends at the end', () => {
    const text = '# c\r\n[t]\r\nk = 1 # x\r\nm = "v"';
    const statements = scanStatements(text);
    expect(shapes(text, statements)).toEqual(['[t]', 't :: k = 1', 't :: m = "v"']);
    expect(statements.map((s) => text.slice(s.start, s.end))).toEqual(['[t]\r\n', 'k = 1 # x\r\n', 'm = "v"']);
  });

  test('bare values (dates with a space, inf, signed numbers) end before the comment and the trailing blanks', () => {
    const text = 'd = 1979-05-27 07:32:00Z   # when\nx = -inf\t\ny = +1_000\n';
    expect(parse(text)).toMatchObject({ x: -Infinity, y: 1000 });
    expect(shapes(text, scanStatements(text))).toEqual([' :: d = 1979-05-27 07:32:00Z', ' :: x = -inf', ' :: y = +1_000']);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated documents

interface Expected {
  shape: string;
  start: number;
  end: number;
  valueStart?: number;
  valueEnd?: number;
}

const STRING_BITS = ['a', ' ', '[x]', '#', '=', ']', '}', '{', ',', "'", 'é日🙂', 'k = 1', '[[t]]'];

function generate(rand: () => number): { text: string; expected: Expected[] } {
  const pick = <T,>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const eol = rand() < 0.5 ? '\n' : '\r\n';
  let fresh = 0;
  const bits = (n: number) => Array.from({ length: Math.floor(rand() * n) }, () => pick(STRING_BITS)).join('');

  const basic = () => `"${bits(4).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}${pick(['', '\\"', '\\\\', '\\u00e9', '\\t'])}"`;
  const literal = () => `'${bits(4).replace(/'/g, '')}${pick(['', '\\', '"'])}'`;
  const multiBasic = () => {
    const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => bits(4) + pick(['', '\\"""', '""', '"', '\\\\']));
    const body = lines.join(eol);
    // At most two quotes of content right before the delimiter (as in multiLiteral below).
    return `"""${pick(['', eol])}${body}${body.endsWith('"') ? '' : pick(['', '"', '""'])}"""`;
  };
  const multiLiteral = () => {
    const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => bits(4) + pick(['', '\\', '"""', "''"]));
    // No ''' inside: it would end the string.
    const body = lines.join(eol).replace(/'{3,}/g, "''");
    // At most two quotes of content right before the delimiter: TOML reads more as the end of the string.
    return `'''${pick(['', eol])}${body}${body.endsWith("'") ? '' : pick(['', "'", "''"])}'''`;
  };
  const bare = () => pick(['42', '-17', '+1_000', '3.14', '-0.0', '1e6', 'inf', '-inf', 'nan', 'true', 'false', '1979-05-27', '07:32:00', '1979-05-27T07:32:00Z', '1979-05-27 07:32:00+01:00']);
  const simple = (): string => pick([basic, literal, multiBasic, multiLiteral, bare])();
  const blank = (multiLine: boolean): string => {
    const r = rand();
    if (r < 0.5) return pick(['', ' ', '  ']);
    if (!multiLine) return ' ';
    return r < 0.75 ? `${eol}  ` : ` # in the array: ] } " ' [${eol}  `;
  };
  const value = (depth: number): string => {
    const r = rand();
    if (depth > 2 || r < 0.6) return simple();
    if (r < 0.85) {
      const items = Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
      const trailing = items.length > 0 && rand() < 0.3 ? ',' : '';
      return `[${items.map((v) => blank(true) + v + blank(true)).join(',')}${trailing}${blank(true)}]`;
    }
    // Inline tables stay on one line.
    const entries = Array.from({ length: Math.floor(rand() * 3) }, () => {
      const v = value(depth + 1);
      return `${key().text}${pick(['=', ' = '])}${v.includes('\n') ? bare() : v}`;
    });
    return `{${entries.length ? ' ' : ''}${entries.join(', ')}${entries.length ? ' ' : ''}}`;
  };
  // Keys: fresh first parts so no two statements define the same thing.
  const keyPart = (name: string) => pick([name, `"${name}.q"`, `'${name} lit'`]);
  const key = (): { text: string; path: string[] } => {
    const parts = [keyPart(`k${fresh++}`)];
    if (rand() < 0.3) parts.push(keyPart(`s${fresh++}`));
    return { text: parts.join(pick(['.', ' . '])), path: parts.map(decode) };
  };
  const decode = (part: string) => (part.startsWith('"') ? part.slice(1, -1) : part.startsWith("'") ? part.slice(1, -1) : part);

  let text = '';
  const expected: Expected[] = [];
  let table: string[] = [];
  const statements = 1 + Math.floor(rand() * 12);
  for (let n = 0; n < statements; n++) {
    // Filler lines: blank, white space, comments that look like statements.
    for (let f = Math.floor(rand() * 3); f > 0; f--) text += pick(['', '   ', '\t', '# [not] = "a header"', '  # k = 1', '#']) + eol;
    const start = text.length;
    const indent = pick(['', '', '  ', '\t']);
    const comment = pick(['', '', ' # trailing ] " \'', '\t#']);
    if (rand() < 0.25) {
      const parts = [`t${fresh++}`, ...(rand() < 0.4 ? [`"x.${fresh++} y"`] : [])];
      const array = rand() < 0.3;
      const path = parts.map(decode);
      text += `${indent}${array ? '[[' : '['}${pick(['', ' '])}${parts.join(pick(['.', ' . ']))}${pick(['', ' '])}${array ? ']]' : ']'}${comment}`;
      text += eol;
      expected.push({ shape: `${array ? '[[' : '['}${path.join('|')}${array ? ']]' : ']'}`, start, end: text.length });
      table = path;
    } else {
      const { text: k, path } = key();
      text += `${indent}${k}${pick(['=', ' = ', '  =\t'])}`;
      const valueStart = text.length;
      const v = value(0);
      text += v;
      const valueEnd = text.length;
      text += `${pick(['', ' ', '\t'])}${comment}`;
      const last = n === statements - 1 && rand() < 0.3;
      if (!last) text += eol;
      expected.push({ shape: `${table.join('|')} :: ${path.join('|')} = ${v}`, start, end: text.length, valueStart, valueEnd });
    }
  }
  return { text, expected };
}

function actual(text: string): Expected[] {
  const statements = scanStatements(text);
  return statements.map((s, i) => {
    const shape = shapes(text, statements)[i]!;
    return s.kind === 'header' ? { shape, start: s.start, end: s.end } : { shape, start: s.start, end: s.end, valueStart: s.valueStart, valueEnd: s.valueEnd };
  });
}

describe('scanStatements: generated documents', () => {
  test('seeded random valid documents (LF or CRLF): every statement found at its exact offsets', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { text, expected } = generate(seededRandom(seed));
      try {
        parse(text);
      } catch (e) {
        throw new Error(`seed ${seed}: the generator wrote invalid TOML (${(e as Error).message.split('\n')[0]}):\n${text}`);
      }
      expect(actual(text), `seed ${seed}:\n${text}`).toEqual(expected);
    }
  });

  test('statements and the lines between them cover the text in order, without overlap', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { text } = generate(seededRandom(seed));
      let at = 0;
      for (const s of scanStatements(text)) {
        // Only blank and comment lines between statements.
        for (const line of text.slice(at, s.start).split('\n')) expect(line.trim() === '' || line.trim().startsWith('#'), `seed ${seed}: ${JSON.stringify(line)}`).toBe(true);
        expect(s.end).toBeGreaterThan(s.start);
        at = s.end;
      }
      for (const line of text.slice(at).split('\n')) expect(line.trim() === '' || line.trim().startsWith('#'), `seed ${seed}`).toBe(true);
    }
  });

  test('each value found reads, on its own, as the value smol-toml put at that key', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { text } = generate(seededRandom(seed));
      const doc = parse(text) as Record<string, unknown>;
      for (const s of scanStatements(text)) {
        if (s.kind !== 'keyvalue') continue;
        // Table names are fresh, so an array of tables has one entry: the one this statement is in.
        let node: unknown = doc;
        for (const part of s.table) {
          node = (node as Record<string, unknown>)[part];
          if (Array.isArray(node)) node = node.at(-1);
        }
        for (const part of s.key) node = (node as Record<string, unknown>)[part];
        const alone = parse(`v = ${text.slice(s.valueStart, s.valueEnd)}`).v;
        expect(alone, `seed ${seed}: ${s.key.join('.')}`).toEqual(node as never);
      }
    }
  });
});

describe('inlineEntries', () => {
  test('entries of an inline table, with strings holding , } = and nested tables', () => {
    const text = 'x = { a = "1,}", "b.c" . d = [1, { e = 2 }], f = { g = \'}\' } , h=true }';
    expect(parse(text)).toMatchObject({ x: { a: '1,}', 'b.c': { d: [1, { e: 2 }] }, f: { g: '}' }, h: true } });
    const entries = inlineEntries(text, text.indexOf('{'));
    expect(entries.map((e) => [e.key, text.slice(e.valueStart, e.valueEnd)])).toEqual([
      [['a'], '"1,}"'],
      [['b.c', 'd'], '[1, { e = 2 }]'],
      [['f'], "{ g = '}' }"],
      [['h'], 'true'],
    ]);
    for (const e of entries) expect(text.slice(e.start).startsWith(e.key[0] === 'b.c' ? '"b.c"' : e.key[0]!)).toBe(true);
  });

  test('an empty inline table has no entries', () => {
    expect(inlineEntries('x = {}', 4)).toEqual([]);
    expect(inlineEntries('x = {   }', 4)).toEqual([]);
  });
});
