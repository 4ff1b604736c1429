/**
 * Just enough of a TOML reader to edit a file as text: it finds where each statement (table header or
 * `key = value`) starts and ends, with the key path it sets, so an edit can touch one statement and
 * leave every other byte alone. It trusts its input to be valid TOML — smol-toml checks that first.
 */
import { parse, TomlError } from 'smol-toml';
import { OneMcpError } from '../errors.ts';

/** Offsets: `start` is where the statement's line begins, `end` is just past its line break (or the end of the text). */
export interface Header {
  kind: 'header';
  path: string[];
  /** `[[path]]` (an array of tables) rather than `[path]`. */
  array: boolean;
  start: number;
  end: number;
}

export interface KeyValue {
  kind: 'keyvalue';
  /** The table this line sits in (the last header's path; [] before any header). */
  table: string[];
  /** The key as written, split at dots: `a."b.c"` → ['a', 'b.c']. */
  key: string[];
  start: number;
  valueStart: number;
  valueEnd: number;
  end: number;
}

export type Statement = Header | KeyValue;

export function scanStatements(text: string): Statement[] {
  const out: Statement[] = [];
  let table: string[] = [];
  let i = 0;
  while (i < text.length) {
    const start = i;
    i = skipSpace(text, i);
    const c = text[i];
    if (c === undefined || c === '\n' || c === '\r' || c === '#') {
      i = nextLine(text, i);
      continue;
    }
    if (c === '[') {
      const array = text[i + 1] === '[';
      const key = readKey(text, i + (array ? 2 : 1));
      table = key.path;
      i = nextLine(text, key.end);
      out.push({ kind: 'header', path: key.path, array, start, end: i });
      continue;
    }
    const key = readKey(text, i); // key.end is at '='
    const valueStart = skipSpace(text, key.end + 1);
    const valueEnd = valueEndAt(text, valueStart, '');
    i = nextLine(text, valueEnd);
    out.push({ kind: 'keyvalue', table, key: key.path, start, valueStart, valueEnd, end: i });
  }
  return out;
}

/** The entries of an inline table `{ a = 1, b.c = "x" }` whose `{` is at `open`. */
export interface InlineEntry {
  key: string[];
  start: number;
  valueStart: number;
  valueEnd: number;
}

export function inlineEntries(text: string, open: number): InlineEntry[] {
  const out: InlineEntry[] = [];
  let i = open + 1;
  for (;;) {
    i = skipBlank(text, i);
    if (i >= text.length || text[i] === '}') return out;
    if (text[i] === ',') {
      i++;
      continue;
    }
    const start = i;
    const key = readKey(text, i);
    const valueStart = skipSpace(text, key.end + 1);
    const valueEnd = valueEndAt(text, valueStart, ',}');
    out.push({ key: key.path, start, valueStart, valueEnd });
    i = valueEnd;
  }
}

function skipSpace(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

/** Spaces, line breaks and comments (inside arrays and inline tables). */
function skipBlank(text: string, i: number): number {
  for (;;) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') i = lineEnd(text, i);
    else return i;
  }
}

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl === -1 ? text.length : nl;
}

function nextLine(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl === -1 ? text.length : nl + 1;
}

function readKey(text: string, i: number): { path: string[]; end: number } {
  const path: string[] = [];
  for (;;) {
    i = skipSpace(text, i);
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = stringEnd(text, i);
      path.push(decodeString(text.slice(i, end)));
      i = end;
    } else {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_-]/.test(text[j]!)) j++;
      path.push(text.slice(i, j));
      i = j;
    }
    i = skipSpace(text, i);
    if (text[i] !== '.') return { path, end: i };
    i++;
  }
}

/** Just past the closing quote(s) of the string opening at `i` (any of the four kinds). */
function stringEnd(text: string, i: number): number {
  const q = text[i]!;
  const triple = q.repeat(3);
  if (text.startsWith(triple, i)) {
    let j = i + 3;
    while (j < text.length) {
      if (q === '"' && text[j] === '\\') j += 2;
      else if (text.startsWith(triple, j)) {
        j += 3;
        // `"""a""""` ends with up to two quotes that belong to the content.
        for (let extra = 0; extra < 2 && text[j] === q; extra++) j++;
        return j;
      } else j++;
    }
    return text.length;
  }
  let j = i + 1;
  while (j < text.length && text[j] !== q && text[j] !== '\n') j += q === '"' && text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Where the value starting at `i` ends. Bare values (numbers, dates, booleans) stop at `stops`, a comment or the line's end. */
function valueEndAt(text: string, i: number, stops: string): number {
  const c = text[i];
  if (c === '"' || c === "'") return stringEnd(text, i);
  if (c === '[' || c === '{') {
    let depth = 0;
    for (let j = i; j < text.length; ) {
      const d = text[j]!;
      if (d === '"' || d === "'") {
        j = stringEnd(text, j);
        continue;
      }
      if (d === '#') {
        j = lineEnd(text, j);
        continue;
      }
      if (d === '[' || d === '{') depth++;
      else if ((d === ']' || d === '}') && --depth === 0) return j + 1;
      j++;
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !'#\r\n'.includes(text[j]!) && !stops.includes(text[j]!)) j++;
  while (j > i && (text[j - 1] === ' ' || text[j - 1] === '\t')) j--;
  return j;
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

/** The content of a one-line quoted key. */
function decodeString(raw: string): string {
  if (raw.startsWith("'")) return raw.slice(1, -1);
  return raw.slice(1, -1).replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)/g, (_, e: string) =>
    e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? e),
  );
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A string value: a literal string when that reads better (Windows paths), else a basic string with escapes. */
export function tomlString(s: string): string {
  const plain = !/[\x00-\x08\x0a-\x1f\x7f]/.test(s);
  if (s.includes('\\') && !s.includes("'") && plain) return `'${s}'`;
  return `"${s.replace(/[\\"\x00-\x1f\x7f]/g, (c) => {
    const named = { '\\': '\\\\', '"': '\\"', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' }[c];
    return named ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  })}"`;
}

export function tomlValue(v: string | number | string[]): string {
  if (Array.isArray(v)) return `[${v.map(tomlString).join(', ')}]`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new OneMcpError(`cannot write ${v} into a TOML file; use a finite number`);
    return String(v);
  }
  return tomlString(v);
}

/** A bare key when TOML allows one, else a quoted one. */
export function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k);
}

/** The file's own line break (its first one), `\n` for a file without any. */
export function lineBreakOf(text: string): string {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/** Insert whole lines at a line start. At the end of a file without a final line break, none is added. */
export function insertLines(text: string, at: number, lines: string[], eol: string): string {
  if (at === text.length && text !== '' && !text.endsWith('\n')) return text + eol + lines.join(eol);
  return text.slice(0, at) + lines.map((l) => l + eol).join('') + text.slice(at);
}

/** Delete whole lines [start, end). At the end of a file without a final line break, the line break before goes too. */
export function deleteLines(text: string, start: number, end: number): string {
  if (end === text.length && !text.endsWith('\n') && start > 0) start -= text[start - 2] === '\r' ? 2 : 1;
  return text.slice(0, start) + text.slice(end);
}

/** 1-based line number of an offset, for messages. */
export function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export function parseToml(text: string, what: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.replace(/^Invalid TOML document: /, '').split('\n')[0];
      throw new OneMcpError(`${what} is not valid TOML (line ${error.line}, column ${error.column}: ${reason}); fix it first — it was not changed`);
    }
    throw error;
  }
}

export function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

export function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && startsWith(a, b);
}

/** Deep equality of parsed TOML values (smol-toml's tables have no prototype, so node's isDeepStrictEqual would say no). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.toISOString() === b.toISOString();
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  const rb = b as Record<string, unknown>;
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], rb[k]));
}

/**
 * Where a table's block ends for removal: the next header, less the comment lines right above that
 * header (they introduce the next table), never reaching back into the table's own statements.
 */
export function blockCut(text: string, statements: Statement[], header: Header): number {
  const i = statements.indexOf(header);
  const next = statements.slice(i + 1).find((s) => s.kind === 'header');
  if (!next) return text.length;
  const floor = statements[statements.indexOf(next) - 1]!.end;
  let cut = next.start;
  while (cut > floor) {
    const lineStart = text.lastIndexOf('\n', cut - 2) + 1;
    if (!text.slice(lineStart, cut).trimStart().startsWith('#')) break;
    cut = lineStart;
  }
  return cut;
}

/**
 * Drop everything from `start` (a line start) to the end. An empty line just before goes too (the one
 * appendTable added), and a file that had no final line break gets none back.
 */
export function cutTail(text: string, start: number): string {
  let out = text.slice(0, start);
  const lastBreak = (s: string) => (s.endsWith('\r\n') ? 2 : s.endsWith('\n') ? 1 : 0);
  const n = lastBreak(out);
  if (n > 0 && (out.length === n || out[out.length - n - 1] === '\n')) out = out.slice(0, -n);
  if (!text.endsWith('\n')) out = out.slice(0, out.length - lastBreak(out));
  return out;
}
