/**
 * A small JSON reader that reports errors as line and column (JSON.parse's messages differ between
 * Bun and Node and carry no line). With `lenient`, it also takes comments and trailing commas — the
 * JSON5 subset that 1MCP writes into `.1mcprc`.
 */
import { readFileSync } from 'node:fs';
import { OneMcpError } from '../errors.ts';

export class JsonTextError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
  }
}

/** Parse a config file's JSON, or fail with a OneMcpError naming the file, line and column. */
export function parseJsonFile(text: string, path: string, options: { lenient?: boolean } = {}): unknown {
  try {
    return parseJsonText(text, options);
  } catch (e) {
    if (e instanceof JsonTextError) throw new OneMcpError(`${path}: invalid JSON: ${e.message}. Fix the file and try again.`);
    throw e;
  }
}

/** A file's text, or undefined when it does not exist (any other read error is reported). */
export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OneMcpError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Deepest nesting of arrays and objects read; deeper input is refused instead of overflowing the stack. */
export const MAX_DEPTH = 1000;

/** What `\x` stands for, for the one-letter escapes; undefined for any other character. */
function simpleEscape(code: number, lenient: boolean): string | undefined {
  switch (code) {
    case 34:
      return '"';
    case 92:
      return '\\';
    case 47:
      return '/';
    case 98:
      return '\b';
    case 102:
      return '\f';
    case 110:
      return '\n';
    case 114:
      return '\r';
    case 116:
      return '\t';
    case 39:
      // \' only in lenient files, where strings may be single-quoted; JSON.parse refuses it.
      return lenient ? "'" : undefined;
    default:
      return undefined;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const BARE_KEY = /[A-Za-z_$][A-Za-z0-9_$]*/y;

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** How a raw control character must be written inside a string. */
function escapeFor(code: number): string {
  return code === 9 ? '\\t' : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function parseJsonText(text: string, options: { lenient?: boolean } = {}): unknown {
  const lenient = options.lenient ?? false;
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let i = bom;
  let depth = 0;

  const fail = (reason: string, at = i): never => {
    // Columns count UTF-16 units from the line start; a leading BOM is not one (editors do not show it).
    let line = 1;
    let col = 1;
    for (let k = bom; k < at && k < text.length; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    throw new JsonTextError(reason, line, col);
  };
  const describe = (at: number) => (at >= text.length ? 'end of file' : `'${String.fromCodePoint(text.codePointAt(at)!)}'`);

  const skip = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else if (c === 47) {
        const next = text[i + 1];
        if (next !== '/' && next !== '*') {
          // Strict: the caller says what it expected instead of the '/'.
          if (lenient) fail(`unexpected '/', expected // or /* to start a comment`);
          return;
        }
        if (!lenient) fail('comments are not allowed in this file');
        if (next === '/') {
          const end = text.indexOf('\n', i);
          i = end < 0 ? text.length : end;
        } else {
          const end = text.indexOf('*/', i + 2);
          if (end < 0) fail('unterminated comment');
          i = end + 2;
        }
      } else return;
    }
  };

  const value = (): unknown => {
    skip();
    const c = text.charCodeAt(i);
    if (c === 123) return object();
    if (c === 91) return array();
    if (c === 34 || (lenient && c === 39)) return string();
    if (c === 45 || (c >= 48 && c <= 57)) return number();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return fail(`unexpected ${describe(i)}, expected a value`);
  };

  const enter = () => {
    if (++depth > MAX_DEPTH) fail(`arrays and objects nested deeper than ${MAX_DEPTH} levels`);
    i++;
  };

  const object = () => {
    const out: Record<string, unknown> = {};
    enter();
    skip();
    if (text[i] === '}') {
      i++;
      depth--;
      return out;
    }
    for (;;) {
      skip();
      if (lenient && text[i] === '}') {
        i++;
        depth--;
        return out;
      }
      let key: string;
      let bare: RegExpExecArray | null = null;
      if (text[i] === '"' || (lenient && text[i] === "'")) key = string();
      else if (lenient && ((BARE_KEY.lastIndex = i), (bare = BARE_KEY.exec(text)))) {
        key = bare[0];
        i += key.length;
      } else return fail(`unexpected ${describe(i)}, expected a property name in double quotes`);
      skip();
      if (text[i] !== ':') fail(`unexpected ${describe(i)}, expected ':' after property name`);
      i++;
      const v = value();
      // Own property, even for "__proto__" (plain assignment would set the prototype).
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      skip();
      if (text[i] === ',') {
        i++;
        skip();
        if (text[i] === '}' && !lenient) fail('trailing comma before }');
        continue;
      }
      if (text[i] === '}') {
        i++;
        depth--;
        return out;
      }
      return fail(`unexpected ${describe(i)}, expected ',' or '}'`);
    }
  };

  const array = () => {
    const out: unknown[] = [];
    enter();
    skip();
    if (text[i] === ']') {
      i++;
      depth--;
      return out;
    }
    for (;;) {
      out.push(value());
      skip();
      if (text[i] === ',') {
        i++;
        skip();
        if (text[i] === ']') {
          if (!lenient) fail('trailing comma before ]');
          i++;
          depth--;
          return out;
        }
        continue;
      }
      if (text[i] === ']') {
        i++;
        depth--;
        return out;
      }
      return fail(`unexpected ${describe(i)}, expected ',' or ']'`);
    }
  };

  const string = () => {
    const quote = text.charCodeAt(i);
    const start = i;
    i++;
    let out = '';
    // Plain characters are copied a run at a time, not one by one (a 20 MB value stays fast).
    let run = i;
    for (;;) {
      if (i >= text.length) return fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === quote) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c === 92) {
        out += text.slice(run, i);
        const e = text.charCodeAt(i + 1);
        const simple = simpleEscape(e, lenient);
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === 117) {
          const code = (hexDigit(text.charCodeAt(i + 2)) << 12) | (hexDigit(text.charCodeAt(i + 3)) << 8) | (hexDigit(text.charCodeAt(i + 4)) << 4) | hexDigit(text.charCodeAt(i + 5));
          if (code < 0) fail('invalid escape in string');
          out += String.fromCharCode(code);
          i += 6;
        } else fail('invalid escape in string');
        run = i;
        continue;
      }
      if (c < 0x20) {
        if (c === 10 || c === 13) fail('line break inside a string');
        // JSON.parse refuses every raw control character; lenient files (hand-edited) may hold a raw tab.
        if (!(lenient && c === 9)) fail(`raw control character U+${c.toString(16).toUpperCase().padStart(4, '0')} inside a string; write it as ${escapeFor(c)}`);
      }
      i++;
    }
  };

  const number = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail('invalid number');
    i = NUMBER.lastIndex;
    return Number(m[0]);
  };

  const result = value();
  skip();
  if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`);
  return result;
}
