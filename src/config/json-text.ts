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

export function parseJsonText(text: string, options: { lenient?: boolean } = {}): unknown {
  const lenient = options.lenient ?? false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (reason: string, at = i): never => {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < text.length; k++) {
      if (text[k] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
    throw new JsonTextError(reason, line, col);
  };
  const describe = (at: number) => (at >= text.length ? 'end of file' : `'${text[at]}'`);

  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '/' && lenient && text[i + 1] === '/') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === '/' && lenient && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail('unterminated comment');
        i = end + 2;
      } else if (c === '/') fail('comments are not allowed in this file');
      else return;
    }
  };

  const value = (): unknown => {
    skip();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"' || (lenient && c === "'")) return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(`unexpected ${describe(i)}, expected a value`);
  };

  const object = () => {
    const out: Record<string, unknown> = {};
    i++;
    skip();
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      skip();
      if (lenient && text[i] === '}') {
        i++;
        return out;
      }
      let key: string;
      if (text[i] === '"' || (lenient && text[i] === "'")) key = string();
      else if (lenient && /[A-Za-z_$]/.test(text[i] ?? '')) {
        const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i))!;
        key = m[0];
        i += key.length;
      } else return fail(`unexpected ${describe(i)}, expected a property name in double quotes`);
      skip();
      if (text[i] !== ':') fail(`unexpected ${describe(i)}, expected ':' after property name`);
      i++;
      // Own property, even for "__proto__".
      Object.defineProperty(out, key, { value: value(), enumerable: true, writable: true, configurable: true });
      skip();
      if (text[i] === ',') {
        i++;
        skip();
        if (text[i] === '}' && !lenient) fail('trailing comma before }');
        continue;
      }
      if (text[i] === '}') {
        i++;
        return out;
      }
      return fail(`unexpected ${describe(i)}, expected ',' or '}'`);
    }
  };

  const array = () => {
    const out: unknown[] = [];
    i++;
    skip();
    if (text[i] === ']') {
      i++;
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
          return out;
        }
        continue;
      }
      if (text[i] === ']') {
        i++;
        return out;
      }
      return fail(`unexpected ${describe(i)}, expected ',' or ']'`);
    }
  };

  const string = () => {
    const quote = text[i];
    const start = i;
    i++;
    let out = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return fail('unterminated string', start);
      if (c === quote) {
        i++;
        return out;
      }
      if (c === '\n') return fail('line break inside a string');
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else return fail('invalid escape in string');
        continue;
      }
      out += c;
      i++;
    }
  };

  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail('invalid number');
    i += m[0].length;
    return Number(m[0]);
  };

  const result = value();
  skip();
  if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`);
  return result;
}
