/**
 * Line-level TOML editing that leaves everything it does not own byte for byte: find a table's
 * block, find a key's lines inside it (multi-line arrays included), format values. Validation is
 * smol-toml's job; this only moves text.
 */
import { parse, TomlError } from 'smol-toml';
import { OneMcpError } from '../errors.ts';

export interface Lines {
  lines: string[];
  eol: string;
  /** Whether the text ended with a line break. */
  finalEol: boolean;
}

export function splitLines(text: string): Lines {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalEol = text.endsWith('\n');
  const body = finalEol ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  return { lines: text === '' ? [] : body.split(/\r?\n/), eol, finalEol };
}

export function joinLines({ lines, eol, finalEol }: Lines): string {
  return lines.length === 0 ? '' : lines.join(eol) + (finalEol ? eol : '');
}

/** Parse a header line `[a.b."c"]` into its key path; undefined for other lines. `[[x]]` counts too. */
export function headerPath(line: string): string[] | undefined {
  const m = /^\s*\[\[?(.*?)\]\]?\s*(#.*)?$/.exec(line);
  if (!m) return undefined;
  return splitKey(m[1]!);
}

/** Split a dotted key respecting quotes: `mcp_servers."my.server"` → ['mcp_servers', 'my.server']. */
export function splitKey(key: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') {
        current += key[++i] ?? '';
        continue;
      }
      if (c === quote) quote = undefined;
      else current += c;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '.') {
      parts.push(current.trim());
      current = '';
    } else current += c;
  }
  parts.push(current.trim());
  return parts;
}

export function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.every((p, i) => path[i] === p);
}

export interface Block {
  /** Index of the header line. */
  start: number;
  /** One past the last line of the table's body (the next header, or the end). */
  end: number;
}

/** Blocks (header + body) whose header path starts with `prefix` (the table itself and its sub-tables). */
export function findBlocks(lines: string[], prefix: string[]): Block[] {
  const blocks: Block[] = [];
  let open: Block | undefined;
  for (let i = 0; i < lines.length; i++) {
    const path = headerPath(lines[i]!);
    if (!path) continue;
    if (open) {
      open.end = i;
      blocks.push(open);
      open = undefined;
    }
    if (startsWith(path, prefix)) open = { start: i, end: lines.length };
  }
  if (open) blocks.push(open);
  return blocks;
}

/** Line range [start, end) of `key = …` inside lines[from, to), following multi-line arrays and strings. */
export function findKey(lines: string[], from: number, to: number, key: string): { start: number; end: number } | undefined {
  const re = new RegExp(`^\\s*(?:${escapeRe(key)}|"${escapeRe(key)}"|'${escapeRe(key)}')\\s*=`);
  for (let i = from; i < to; i++) {
    if (!re.test(lines[i]!)) continue;
    let depth = 0;
    let inString: string | undefined;
    for (let j = i; j < to; j++) {
      const line = lines[j]!;
      let k = j === i ? line.indexOf('=') + 1 : 0;
      for (; k < line.length; k++) {
        const c = line[k]!;
        if (inString) {
          if (line.startsWith(inString, k)) {
            k += inString.length - 1;
            inString = undefined;
          } else if (c === '\\' && inString.startsWith('"')) k++;
          continue;
        }
        if (c === '#') break;
        if (line.startsWith('"""', k) || line.startsWith("'''", k)) {
          inString = line.slice(k, k + 3);
          k += 2;
        } else if (c === '"' || c === "'") inString = c;
        else if (c === '[' || c === '{') depth++;
        else if (c === ']' || c === '}') depth--;
      }
      // A single-quoted or double-quoted string cannot span lines; only triple quotes can.
      if (inString && inString.length === 1) inString = undefined;
      if (depth <= 0 && !inString) return { start: i, end: j + 1 };
    }
    return { start: i, end: to };
  }
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A TOML value for a string, number or array of strings. JSON's string escapes are valid TOML. */
export function tomlValue(v: string | number | string[]): string {
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/** A bare key when possible, else a quoted one. */
export function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
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
