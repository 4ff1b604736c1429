/**
 * The config-file JSON reader (src/config/json-text.ts): agrees with JSON.parse on valid input, takes
 * comments and trailing commas only when lenient, and points at the exact line and column of an error.
 */
import { describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonTextError, parseJsonFile, parseJsonText, readTextIfExists } from '../../src/config/json-text.ts';
import { OneMcpError } from '../../src/errors.ts';
import { seededRandom } from '../helpers/random.ts';
import { makeTempDir } from '../helpers/tmp.ts';

function errorOf(text: string, lenient = false): JsonTextError {
  try {
    parseJsonText(text, { lenient });
  } catch (e) {
    if (e instanceof JsonTextError) return e;
    throw e;
  }
  throw new Error(`expected a JsonTextError for ${JSON.stringify(text)}`);
}

/** 1-based line and column of a UTF-16 offset, counted independently of the reader. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/** The error must be at the `@`-marked place; the marker is removed from the text first. */
function expectErrorAt(marked: string, reason: RegExp, lenient = false): void {
  const at = marked.indexOf('@');
  const text = marked.slice(0, at) + marked.slice(at + 1);
  const e = errorOf(text, lenient);
  expect({ line: e.line, column: e.column }, JSON.stringify(text)).toEqual(position(text, at));
  expect(e.reason).toMatch(reason);
  expect(e.message).toBe(`${e.reason} at line ${e.line}, column ${e.column}`);
}

// ---------------------------------------------------------------------------------------------
// Generated documents: random values written with random white space (and, when lenient, comments,
// trailing commas, single quotes and bare keys) between tokens. `gaps` are the offsets between tokens.

interface Written {
  text: string;
  gaps: number[];
}

const STRING_CHARS = [...'ab Z09_-/:{}[],"\'\\é日', '🙂', '\t', '\n', '\u0001', '//', '/*', '\u2028'];

function randomValue(rand: () => number, depth = 0): unknown {
  const r = rand();
  if (depth > 4 || r < 0.35) {
    const k = Math.floor(rand() * 6);
    if (k === 0) return null;
    if (k === 1) return rand() < 0.5;
    if (k === 2) return Math.floor(rand() * 2000) - 1000;
    if (k === 3) return Number((rand() * 1e6 - 5e5).toPrecision(1 + Math.floor(rand() * 15)));
    if (k === 4) return [0, -0, 1e21, 1.5e-7, 123456789012345680000][Math.floor(rand() * 5)];
    return randomString(rand);
  }
  if (r < 0.65) return Array.from({ length: Math.floor(rand() * 5) }, () => randomValue(rand, depth + 1));
  const out: Record<string, unknown> = {};
  for (let n = Math.floor(rand() * 5); n > 0; n--) {
    const key = rand() < 0.1 ? '__proto__' : rand() < 0.5 ? randomString(rand) : `k${Math.floor(rand() * 100)}_$`;
    Object.defineProperty(out, key, { value: randomValue(rand, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function randomString(rand: () => number): string {
  return Array.from({ length: Math.floor(rand() * 12) }, () => STRING_CHARS[Math.floor(rand() * STRING_CHARS.length)]!).join('');
}

function write(value: unknown, rand: () => number, lenient: boolean, eol: string): Written {
  let text = '';
  const gaps: number[] = [];
  const gap = () => {
    gaps.push(text.length);
    const r = rand();
    if (r < 0.4) return;
    if (r < 0.6) text += ' ';
    else if (r < 0.75) text += `${eol}${'  '.repeat(Math.floor(rand() * 3))}`;
    else if (!lenient || r < 0.85) text += '\t ';
    else if (r < 0.93) text += ` // a "comment", with {braces} ] and 'quotes'${eol}`;
    else text += '/* block * / comment\n with ] and } */';
    gaps.push(text.length);
  };
  const str = (s: string) => {
    if (lenient && rand() < 0.3) {
      // A single-quoted string: escape only what single quotes need.
      text += `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
    } else text += JSON.stringify(s);
  };
  const emit = (v: unknown) => {
    gap();
    if (Array.isArray(v)) {
      text += '[';
      v.forEach((item, i) => {
        if (i > 0) {
          gap();
          text += ',';
        }
        emit(item);
      });
      gap();
      if (lenient && v.length > 0 && rand() < 0.3) text += ',';
      gap();
      text += ']';
    } else if (v !== null && typeof v === 'object') {
      text += '{';
      Object.keys(v).forEach((k, i) => {
        if (i > 0) {
          gap();
          text += ',';
        }
        gap();
        if (lenient && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) && rand() < 0.5) text += k;
        else str(k);
        gap();
        text += ':';
        emit((v as Record<string, unknown>)[k]);
      });
      gap();
      if (lenient && Object.keys(v).length > 0 && rand() < 0.3) text += ',';
      gap();
      text += '}';
    } else if (typeof v === 'string') str(v);
    else text += Object.is(v, -0) ? '-0' : JSON.stringify(v);
    gap();
  };
  emit(value);
  return { text, gaps };
}

describe('parseJsonText: valid input', () => {
  test('values of every kind, escapes, surrogate pairs, a leading BOM', () => {
    expect(parseJsonText('{"a":[1,-2.5e3,true,false,null,"x"],"b":{}}')).toEqual({ a: [1, -2500, true, false, null, 'x'], b: {} });
    expect(parseJsonText('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude42"')).toBe('"\\/\b\f\n\r\té🙂');
    expect(parseJsonText('\uFEFF {"a": 1}')).toEqual({ a: 1 });
    expect(parseJsonText('-0')).toBe(-0);
  });

  test('"__proto__" is an own key, and nothing is polluted', () => {
    const value = parseJsonText('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('seeded random documents with random white space (LF or CRLF): the same value as JSON.parse', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rand = seededRandom(seed);
      const value = randomValue(rand);
      const { text } = write(value, rand, false, rand() < 0.5 ? '\n' : '\r\n');
      expect(parseJsonText(text), `seed ${seed}: ${text}`).toEqual(JSON.parse(text));
      expect(parseJsonText(text, { lenient: true }), `seed ${seed} (lenient)`).toEqual(JSON.parse(text));
    }
  });

  test('seeded random lenient documents (comments, trailing commas, single quotes, bare keys): the value meant', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rand = seededRandom(seed);
      const value = randomValue(rand);
      const { text } = write(value, rand, true, rand() < 0.5 ? '\n' : '\r\n');
      expect(parseJsonText(text, { lenient: true }), `seed ${seed}: ${text}`).toEqual(value);
    }
  });

  test('lenient: "//" and "/*" inside strings are text, a line comment may end the file', () => {
    expect(parseJsonText('{"url": "http://x/*y*/"} // done', { lenient: true })).toEqual({ url: 'http://x/*y*/' });
    expect(parseJsonText("{'a': 'it\\'s \"fine\"'}", { lenient: true })).toEqual({ a: 'it\'s "fine"' });
  });

  test('a 2 MB line and 20,000 entries parse whole', () => {
    const big = 'é'.repeat(2 * 1024 * 1024);
    const doc = { big, list: Array.from({ length: 20000 }, (_, i) => ({ k: i, s: '日🙂' })) };
    const value = parseJsonText(JSON.stringify(doc)) as typeof doc;
    expect(value.big === big).toBe(true);
    expect(value.list).toHaveLength(20000);
    expect(value.list[19999]).toEqual({ k: 19999, s: '日🙂' });
  });

  test('a file with invalid UTF-8 bytes reads with U+FFFD in their place and still parses', () => {
    const dir = makeTempDir('1mcp-json-text-');
    try {
      const path = join(dir.path, 'mcp.json');
      writeFileSync(path, Buffer.concat([Buffer.from('{"name": "a'), Buffer.from([0xff, 0xc3]), Buffer.from('b"}')]));
      const text = readTextIfExists(path)!;
      expect(parseJsonFile(text, path)).toEqual({ name: 'a\ufffd\ufffdb' });
      expect(readTextIfExists(join(dir.path, 'missing.json'))).toBeUndefined();
    } finally {
      dir.cleanup();
    }
  });
});

describe('parseJsonText: errors at the exact line and column', () => {
  test('strict: comments and trailing commas are refused where they are', () => {
    expectErrorAt('{\n  "a": 1 @// no\n}', /^comments are not allowed/);
    expectErrorAt('{\n  "a": 1,\n@}', /^trailing comma before \}/);
    expectErrorAt('[1,\r\n 2,\r\n @]', /^trailing comma before \]/);
    expectErrorAt("{@'a': 1}", /expected a property name in double quotes/);
    expectErrorAt('{@a: 1}', /expected a property name in double quotes/);
  });

  test('each kind of mistake, with CRLF line ends', () => {
    expectErrorAt('{\r\n  "a": 1\r\n  @"b": 2\r\n}', /^unexpected '"', expected ',' or '}'/);
    expectErrorAt('[1 @2]', /^unexpected '2', expected ',' or '\]'/);
    expectErrorAt('{"a" @1}', /^unexpected '1', expected ':' after property name/);
    expectErrorAt('{"a": @}', /^unexpected '}', expected a value/);
    expectErrorAt('{"a": "ok",\n "b": @"never closed}', /^unterminated string/);
    expectErrorAt('{"a": "two@\nlines"}', /^line break inside a string/);
    expectErrorAt('"bad @\\x escape"', /^invalid escape in string/);
    expectErrorAt('"bad @\\u12G4 escape"', /^invalid escape in string/);
    expectErrorAt('@-', /^invalid number/);
    expectErrorAt('{"a": 1}\n@x', /^unexpected 'x' after the end of the JSON value/);
    expectErrorAt('@', /^unexpected end of file, expected a value/);
    expectErrorAt('[1,\n  2\n@', /^unexpected end of file, expected ',' or '\]'/);
    expectErrorAt('{"a": [@nul]}', /^unexpected 'n', expected a value/);
  });

  test('lenient: an unterminated block comment is reported where it starts', () => {
    expectErrorAt('{\n  "a": 1, @/* never\n closed\n', /^unterminated comment/, true);
    expectErrorAt('[1, @,]', /^unexpected ',', expected a value/, true);
  });

  test('seeded random documents with one stray character between tokens: the error points at it', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rand = seededRandom(seed);
      const lenient = rand() < 0.5;
      const { text, gaps } = write(randomValue(rand), rand, lenient, rand() < 0.5 ? '\n' : '\r\n');
      const at = gaps[Math.floor(rand() * gaps.length)]!;
      const stray = '@#)=;'[Math.floor(rand() * 5)]!;
      const bad = text.slice(0, at) + stray + text.slice(at);
      const e = errorOf(bad, lenient);
      expect({ line: e.line, column: e.column }, `seed ${seed}: ${JSON.stringify(bad)}`).toEqual(position(bad, at));
    }
  });

  test('seeded random one-character edits: whatever JSON.parse refuses is refused, whatever it takes is read alike', () => {
    const alphabet = [...'{}[],:"\\ 0-1.eE+truefalsnl', '\n'];
    for (let seed = 1; seed <= 1000; seed++) {
      const rand = seededRandom(seed);
      // Raw tabs between tokens may end up inside a string after an edit: both readers must refuse them there.
      const text = write(randomValue(rand), rand, false, '\n').text;
      const at = Math.floor(rand() * (text.length + 1));
      const r = rand();
      const edited =
        r < 0.33
          ? text.slice(0, at) + text.slice(at + 1)
          : text.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + text.slice(at + (r < 0.66 ? 0 : 1));
      let expected: unknown;
      try {
        expected = JSON.parse(edited);
      } catch {
        expect(() => parseJsonText(edited), `seed ${seed}: ${JSON.stringify(edited)}`).toThrow(JsonTextError);
        continue;
      }
      expect(parseJsonText(edited), `seed ${seed}: ${JSON.stringify(edited)}`).toEqual(expected);
    }
  });
});

describe('parseJsonFile', () => {
  test('a OneMcpError naming the file, line and column, and what to do', () => {
    let error: unknown;
    try {
      parseJsonFile('{\n  "mcpServers": {\n    "a": { "command": "x" },\n  }\n}\n', '/home/me/.config/1mcp/mcp.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OneMcpError);
    expect((error as Error).message).toBe('/home/me/.config/1mcp/mcp.json: invalid JSON: trailing comma before } at line 4, column 3. Fix the file and try again.');
  });

  test('lenient: the same text is read', () => {
    expect(parseJsonFile('{\n  // servers\n  "mcpServers": { "a": { "command": "x" }, },\n}\n', 'mcp.json', { lenient: true })).toEqual({ mcpServers: { a: { command: 'x' } } });
  });
});

describe('parseJsonText: limits and edge cases', () => {
  test('a leading BOM is not a column: errors on line 1 are where an editor shows them', () => {
    const e = errorOf('\uFEFF{x}');
    expect({ line: e.line, column: e.column }).toEqual({ line: 1, column: 2 });
    const second = errorOf('\uFEFF{\n x}');
    expect({ line: second.line, column: second.column }).toEqual({ line: 2, column: 2 });
    expect(errorOf('\uFEFF@', true).column).toBe(1);
  });

  test('deep nesting: 1000 levels parse, deeper is a clear error at the bracket (not a stack overflow)', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(parseJsonText(deep(1000))).toEqual(JSON.parse(deep(1000)));
    const objects = '{"a":'.repeat(1000) + '1' + '}'.repeat(1000);
    expect(parseJsonText(objects, { lenient: true })).toEqual(JSON.parse(objects));
    expectErrorAt(`${'['.repeat(1000)}@[]${']'.repeat(1000)}`, /^arrays and objects nested deeper than 1000 levels/);
    expectErrorAt(`${'{"a":'.repeat(1000)}@{}${'}'.repeat(1000)}`, /^arrays and objects nested deeper than 1000 levels/, true);
    let error: unknown;
    try {
      parseJsonFile('['.repeat(50000), 'mcp.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OneMcpError);
    expect((error as Error).message).toBe('mcp.json: invalid JSON: arrays and objects nested deeper than 1000 levels at line 1, column 1001. Fix the file and try again.');
  });

  test('strict: raw control characters inside strings are refused like JSON.parse does; lenient takes a raw tab only', () => {
    for (let code = 0; code < 0x20; code++) {
      const char = String.fromCharCode(code);
      const text = `{"a": "x${char}y"}`;
      expect(() => JSON.parse(text)).toThrow();
      const e = errorOf(text);
      expect({ line: e.line, column: e.column }, `U+${code.toString(16)}`).toEqual(position(text, 8));
      const lineBreak = code === 0x0a || code === 0x0d;
      expect(e.reason).toMatch(lineBreak ? /^line break inside a string$/ : /^raw control character U\+00[01][0-9A-F] inside a string; write it as \\/);
      if (code === 0x09) expect(parseJsonText(text, { lenient: true })).toEqual({ a: 'x\ty' });
      else expect(errorOf(text, true).reason).toBe(e.reason);
    }
    expect(errorOf('"\t"').reason).toBe('raw control character U+0009 inside a string; write it as \\t');
    expect(errorOf('"\u0000"').reason).toBe('raw control character U+0000 inside a string; write it as \\u0000');
    expect(errorOf('"\u001f"', true).reason).toBe('raw control character U+001F inside a string; write it as \\u001F');
    expect(parseJsonText('"\\t\u007f\u2028"')).toBe('\t\u007f\u2028');
  });

  test('numbers of any length that JSON.parse takes', () => {
    for (const n of ['1'.repeat(1000), `-0.${'5'.repeat(600)}`, `1e${'0'.repeat(500)}5`, `${'9'.repeat(401)}.5E-${'0'.repeat(450)}3`]) {
      expect(parseJsonText(`[${n}, 2]`), n.slice(0, 20)).toEqual(JSON.parse(`[${n}, 2]`));
      expect(parseJsonText(n)).toBe(JSON.parse(n));
    }
    expectErrorAt(`[${'1'.repeat(500)}@.]`, /^unexpected '\.', expected ',' or '\]'/);
  });

  test("strict: \\' is not an escape (JSON.parse refuses it); lenient takes it", () => {
    expect(() => JSON.parse('"it\\\'s"')).toThrow();
    expectErrorAt('"it@\\\'s"', /^invalid escape in string/);
    expect(parseJsonText('"it\\\'s"', { lenient: true })).toBe("it's");
  });

  test('a lone slash: lenient says a comment needs // or /*, strict says what was expected', () => {
    expectErrorAt('{"a": 1 @/ x}', /^unexpected '\/', expected \/\/ or \/\* to start a comment/, true);
    expectErrorAt('{"a": 1}\n@/', /^unexpected '\/', expected \/\/ or \/\* to start a comment/, true);
    expectErrorAt('{"a": 1 @/ x}', /^unexpected '\/', expected ',' or '}'/);
    expectErrorAt('{"a": 1 @/* x */}', /^comments are not allowed in this file/);
  });

  test('long strings with escapes, surrogate pairs and quotes of the other kind between plain runs', () => {
    const parts = ['plain text ', '\\n', 'é日', '🙂', '\\"', "'", '\\u00e9', '\\ud83d\\ude42', '/', '\\\\'];
    const body = Array.from({ length: 200000 }, (_, i) => parts[(i * 7) % parts.length]).join('');
    const text = `{"s": "${body}", "t": "${'x'.repeat(5 * 1024 * 1024)}"}`;
    expect(parseJsonText(text)).toEqual(JSON.parse(text));
    const single = `{'s': '${body.replace(/'/g, "\\'")}'}`;
    expect(parseJsonText(single, { lenient: true })).toEqual({ s: JSON.parse(`"${body}"`) });
  });
});
