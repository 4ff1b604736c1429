/**
 * Edit a JSON-with-comments file as text: members are replaced, inserted or removed where they are,
 * so comments, key order, line endings and formatting outside the changed entries survive a rewrite
 * (as the Codex TOML editor does for config.toml). The result is re-parsed and compared with the
 * intended object; a caller falls back to a whole rewrite only when that check fails.
 */
import { parseJsonText } from './json-text.ts';

type Node = ObjectNode | { kind: 'other'; start: number; end: number };

interface ObjectNode {
  kind: 'object';
  /** Index of '{'. */
  start: number;
  /** Index just after '}'. */
  end: number;
  members: Member[];
}

interface Member {
  key: string;
  keyStart: number;
  value: Node;
  /** Index of the ',' after the value, when there is one. */
  comma?: number;
}

// Sticky: matched where the scan stands, whatever the token's length.
const SCALAR = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null/y;
const BARE_KEY = /[A-Za-z_$][A-Za-z0-9_$]*/y;

/** Spans of every object member in `text` (lenient JSON: comments, trailing commas, 'quotes', bare keys). */
function scan(text: string): Node {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (): never => {
    throw new Error(`unexpected input at offset ${i}`);
  };
  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '/' && text[i + 1] === '/') while (i < text.length && text[i] !== '\n') i++;
      else if (c === '/' && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail();
        i = end + 2;
      } else return;
    }
  };
  const stringToken = () => {
    const quote = text[i];
    i++;
    while (i < text.length && text[i] !== quote) i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
  };
  const value = (): Node => {
    skip();
    const start = i;
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') {
      i++;
      skip();
      while (text[i] !== ']') {
        value();
        skip();
        if (text[i] === ',') {
          i++;
          skip();
        } else if (text[i] !== ']') fail();
      }
      i++;
      return { kind: 'other', start, end: i };
    }
    if (c === '"' || c === "'") stringToken();
    else {
      SCALAR.lastIndex = i;
      const m = SCALAR.exec(text);
      if (!m) fail();
      i += m![0].length;
    }
    return { kind: 'other', start, end: i };
  };
  const object = (): ObjectNode => {
    const node: ObjectNode = { kind: 'object', start: i, end: -1, members: [] };
    i++;
    for (;;) {
      skip();
      if (text[i] === '}') {
        i++;
        node.end = i;
        return node;
      }
      const keyStart = i;
      let key: string;
      if (text[i] === '"' || text[i] === "'") {
        stringToken();
        key = parseJsonText(text.slice(keyStart, i), { lenient: true }) as string;
      } else {
        BARE_KEY.lastIndex = i;
        const m = BARE_KEY.exec(text);
        if (!m) fail();
        key = m![0];
        i += key.length;
      }
      skip();
      if (text[i] !== ':') fail();
      i++;
      const member: Member = { key, keyStart, value: value() };
      node.members.push(member);
      skip();
      if (text[i] === ',') member.comma = i++;
      else if (text[i] !== '}') fail();
    }
  };
  const root = value();
  skip();
  if (i < text.length) fail();
  return root;
}

// ---- layout helpers -------------------------------------------------------------------------------

interface Style {
  nl: string;
  unit: string;
}

function detectStyle(text: string): Style {
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  return { nl, unit: m ? (m[1]!.startsWith('\t') ? '\t' : m[1]!) : '  ' };
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** Leading whitespace of the line holding `at`. */
function indentOf(text: string, at: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, at)))![0];
}

/** True when only spaces or tabs stand between the start of the line and `at`. */
function firstOnLine(text: string, at: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, at), at));
}

/** From `at`, skip spaces and one same-line comment; the index reached. */
function skipLineTail(text: string, at: number): number {
  let p = at;
  while (text[p] === ' ' || text[p] === '\t') p++;
  if (text.startsWith('//', p)) {
    while (p < text.length && text[p] !== '\n' && text[p] !== '\r') p++;
  } else if (text.startsWith('/*', p)) {
    const end = text.indexOf('*/', p + 2);
    if (end >= 0 && !/[\r\n]/.test(text.slice(p, end))) {
      p = end + 2;
      while (text[p] === ' ' || text[p] === '\t') p++;
    }
  }
  return p;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    return keys.length ? `{ ${keys.map((k) => `${JSON.stringify(k)}: ${inline(v[k])}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(v) ?? 'null';
}

/** A value laid out like JSON.stringify(v, null, unit), short arrays of plain values kept on one line. */
export function renderJson(v: unknown, indent = '', style: Style = { nl: '\n', unit: '  ' }): string {
  const inner = indent + style.unit;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every(isPrimitive)) {
      const one = inline(v);
      if (one.length <= 80) return one;
    }
    return `[${style.nl}${v.map((x) => inner + renderJson(x, inner, style)).join(`,${style.nl}`)}${style.nl}${indent}]`;
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    return `{${style.nl}${keys.map((k) => `${inner}${JSON.stringify(k)}: ${renderJson(v[k], inner, style)}`).join(`,${style.nl}`)}${style.nl}${indent}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

// ---- single edits -------------------------------------------------------------------------------

function splice(text: string, from: number, to: number, insert = ''): string {
  return text.slice(0, from) + insert + text.slice(to);
}

function objectAt(text: string, path: string[]): ObjectNode {
  let node = scan(text);
  for (const key of path) {
    if (node.kind !== 'object') throw new Error(`not an object at ${path.join('.')}`);
    const member = node.members.findLast((m) => m.key === key);
    if (!member) throw new Error(`no member ${key}`);
    node = member.value;
  }
  if (node.kind !== 'object') throw new Error(`not an object at ${path.join('.')}`);
  return node;
}

function replaceMember(text: string, path: string[], key: string, value: unknown, style: Style): string {
  const member = objectAt(text, path).members.findLast((m) => m.key === key)!;
  const { start, end } = member.value;
  const wasOneLine = !/[\r\n]/.test(text.slice(start, end));
  let rendered = renderJson(value, indentOf(text, member.keyStart), style);
  if (wasOneLine && inline(value).length <= 100) rendered = inline(value);
  return splice(text, start, end, rendered);
}

function removeMember(text: string, path: string[], key: string): string {
  for (;;) {
    const obj = objectAt(text, path);
    const idx = obj.members.findIndex((m) => m.key === key);
    if (idx < 0) return text;
    text = removeMemberAt(text, obj, idx);
  }
}

function removeMemberAt(text: string, obj: ObjectNode, idx: number): string {
  const m = obj.members[idx]!;
  const prev = obj.members[idx - 1];
  const next = obj.members[idx + 1];
  const afterValue = m.comma !== undefined ? m.comma + 1 : m.value.end;
  let out: string;
  if (!firstOnLine(text, m.keyStart)) {
    // A member sharing its line with others: take it with one neighbouring comma.
    if (prev) out = splice(text, prev.comma!, m.comma !== undefined && !next ? m.comma + 1 : m.value.end);
    else if (next) out = splice(text, m.keyStart, next.keyStart);
    else out = splice(text, m.keyStart, afterValue);
  } else {
    // Whole lines: comment lines right above it, the member, its same-line comment, the line break.
    const floor = prev ? (prev.comma ?? prev.value.end) : obj.start + 1;
    let from = lineStart(text, m.keyStart);
    for (;;) {
      const above = lineStart(text, from - 1);
      if (from === 0 || above <= floor) break;
      const line = text.slice(above, from).trim();
      if (!(line.startsWith('//') || (line.startsWith('/*') && line.endsWith('*/')))) break;
      from = above;
    }
    let to = skipLineTail(text, afterValue);
    if (text[to] === '\r' && text[to + 1] === '\n') to += 2;
    else if (text[to] === '\n') to += 1;
    else to = afterValue;
    out = splice(text, from, to);
    // The new last member must not keep a comma the file did not have before.
    if (!next && m.comma === undefined && prev?.comma !== undefined) out = splice(out, prev.comma, prev.comma + 1);
  }
  const after = scanObjectAtSameStart(out, obj.start);
  if (after && after.members.length === 0 && /^\s*$/.test(out.slice(after.start + 1, after.end - 1))) {
    out = splice(out, after.start, after.end, '{}');
  }
  return out;
}

/** The object that starts at `start` in a re-scanned text (removals happen after it, so it has not moved). */
function scanObjectAtSameStart(text: string, start: number): ObjectNode | undefined {
  const find = (node: Node): ObjectNode | undefined => {
    if (node.kind !== 'object') return undefined;
    if (node.start === start) return node;
    for (const m of node.members) {
      const hit = find(m.value);
      if (hit) return hit;
    }
    return undefined;
  };
  return find(scan(text));
}

function insertMember(text: string, path: string[], key: string, value: unknown, style: Style): string {
  const obj = objectAt(text, path);
  const last = obj.members.at(-1);
  if (!last) {
    const parentIndent = indentOf(text, obj.start);
    const childIndent = parentIndent + style.unit;
    const entry = `${JSON.stringify(key)}: ${renderJson(value, childIndent, style)}`;
    const inner = text.slice(obj.start + 1, obj.end - 1);
    if (/^\s*$/.test(inner)) return splice(text, obj.start + 1, obj.end - 1, `${style.nl}${childIndent}${entry}${style.nl}${parentIndent}`);
    const close = obj.end - 1;
    if (firstOnLine(text, close)) return splice(text, lineStart(text, close), lineStart(text, close), `${childIndent}${entry}${style.nl}`);
    return splice(text, close, close, `${style.nl}${childIndent}${entry}${style.nl}${parentIndent}`);
  }
  if (!firstOnLine(text, obj.members[0]!.keyStart)) {
    // A one-line object stays on one line.
    const entry = `${JSON.stringify(key)}: ${inline(value)}`;
    if (last.comma !== undefined) return splice(text, last.comma + 1, last.comma + 1, ` ${entry},`);
    return splice(text, last.value.end, last.value.end, `, ${entry}`);
  }
  const indent = indentOf(text, last.keyStart);
  const entry = `${JSON.stringify(key)}: ${renderJson(value, indent, style)}`;
  const afterValue = last.comma !== undefined ? last.comma + 1 : last.value.end;
  const tail = skipLineTail(text, afterValue);
  const atLineEnd = tail >= text.length || text[tail] === '\n' || text[tail] === '\r';
  const at = atLineEnd ? tail : afterValue;
  // Trailing commas stay the file's style: the new member gets one when the old last had one.
  let out = splice(text, at, at, `${style.nl}${indent}${entry}${last.comma !== undefined ? ',' : ''}`);
  if (last.comma === undefined) out = splice(out, last.value.end, last.value.end, ',');
  return out;
}

// ---- whole documents ----------------------------------------------------------------------------

/** Deep equality of parsed JSON values; object key order does not matter. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
  }
  return a === b;
}

/**
 * `text` (whose parsed value is `before`) changed so that it parses to `after`, touching only the
 * members that differ. Undefined when that cannot be done or the result would not parse to `after`.
 */
export function editJsonText(text: string, before: unknown, after: unknown): string | undefined {
  if (!isPlainObject(before) || !isPlainObject(after)) return undefined;
  const style = detectStyle(text);
  let out = text;
  const apply = (path: string[], b: Record<string, unknown>, a: Record<string, unknown>) => {
    for (const key of Object.keys(b)) if (!Object.hasOwn(a, key)) out = removeMember(out, path, key);
    for (const key of Object.keys(a)) {
      if (!Object.hasOwn(b, key)) out = insertMember(out, path, key, a[key], style);
      else if (sameJson(b[key], a[key])) continue;
      else if (isPlainObject(b[key]) && isPlainObject(a[key])) apply([...path, key], b[key] as Record<string, unknown>, a[key] as Record<string, unknown>);
      else out = replaceMember(out, path, key, a[key], style);
    }
  };
  try {
    apply([], before, after);
    return sameJson(parseJsonText(out, { lenient: true }), after) ? out : undefined;
  } catch {
    return undefined;
  }
}
