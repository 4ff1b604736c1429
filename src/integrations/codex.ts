/**
 * Codex's config.toml (docs/codex.md): add, update or remove our `[mcp_servers.<name>]` table by
 * editing text, so comments, other tables and key order stay exactly as the user wrote them. Pure
 * functions over the file's text; the caller reads, backs up and writes.
 */
import { join } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { home } from '../runtime/home.ts';
import {
  blockCut,
  cutTail,
  deleteLines,
  type Header,
  inlineEntries,
  insertLines,
  type KeyValue,
  lineBreakOf,
  lineOf,
  parseToml,
  samePath,
  sameValue,
  scanStatements,
  startsWith,
  tomlKey,
  tomlValue,
} from './toml-text.ts';

export interface CodexEntry {
  command?: string;
  args?: string[];
  url?: string;
  bearer_token_env_var?: string;
  /** Set only when the user has not set it. */
  startup_timeout_sec?: number;
}

export interface Edit {
  text: string;
  changed: boolean;
}

/** The keys we own: set to what we want, or removed when we want none (stdio ⇄ http). */
const OWNED = ['command', 'args', 'url', 'bearer_token_env_var'] as const;
/** Any of these means the user chose a startup timeout (`startup_timeout_ms` is Codex's older spelling). */
const USER_TIMEOUT_KEYS = ['startup_timeout_sec', 'startup_timeout_ms'];
const WHAT = 'the Codex config';
const rank = (key: string) => (OWNED as readonly string[]).indexOf(key);

export function codexConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.CODEX_HOME || join(home(env), '.codex'), 'config.toml');
}

/** Our entry as Codex will read it, or undefined. Throws (OneMcpError) on invalid TOML. */
export function codexServerEntry(text: string, name: string): Record<string, unknown> | undefined {
  return entryOf(parseToml(text, WHAT), name);
}

export function upsertCodexServer(text: string, name: string, entry: CodexEntry): Edit {
  const before = parseToml(text, WHAT);
  const existing = entryOf(before, name);
  const where = locate(text, name);
  let result: string;
  if (where.header) result = editTable(text, name, entry, existing ?? {});
  else if (where.inline) result = editInline(text, where.inline, entry, existing ?? {});
  else {
    if (where.dotted) throw inTheWay(text, where.dotted, name, `sets mcp_servers.${name} with dotted keys`);
    if (where.parentValue) throw inTheWay(text, where.parentValue, name, 'writes mcp_servers as one inline table');
    result = appendTable(text, name, entry);
  }
  if (result === text) return { text, changed: false };
  verifyUpsert(before, result, name, entry);
  return { text: result, changed: true };
}

export function removeCodexServer(text: string, name: string): Edit {
  const before = parseToml(text, WHAT);
  if (entryOf(before, name) === undefined) return { text, changed: false };
  const where = locate(text, name);
  if (where.parentValue) throw inTheWay(text, where.parentValue, name, 'writes mcp_servers as one inline table');
  const statements = scanStatements(text);
  const ranges: [number, number][] = [
    ...statements.filter((s): s is Header => s.kind === 'header' && startsWith(s.path, serverPath(name))).map((h) => [h.start, blockCut(text, statements, h)] as [number, number]),
    ...[where.inline, ...where.allDotted].filter((k) => k !== undefined).map((k) => [k.start, k.end] as [number, number]),
  ].sort((a, b) => a[0] - b[0]);
  // Merge touching ranges: cutting at the end may also take the line before, which must not move a neighbour.
  for (let i = ranges.length - 1; i > 0; i--) {
    if (ranges[i - 1]![1] === ranges[i]![0]) ranges.splice(i - 1, 2, [ranges[i - 1]![0], ranges[i]![1]]);
  }
  let result = text;
  for (const [start, end] of ranges.reverse()) result = end === result.length ? cutTail(result, start) : result.slice(0, start) + result.slice(end);
  const fail = new OneMcpError(`removing mcp_servers.${name} from ${WHAT} went wrong; nothing was written — remove that table by hand`);
  let after: Record<string, unknown>;
  try {
    after = parseToml(result, WHAT);
  } catch {
    throw fail;
  }
  if (entryOf(after, name) !== undefined || !sameValue(withoutEntry(before, name), withoutEntry(after, name))) throw fail;
  return { text: result, changed: true };
}

// ---------------------------------------------------------------------------------------------

function serverPath(name: string): string[] {
  return ['mcp_servers', name];
}

function entryOf(doc: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const servers = doc.mcp_servers;
  if (servers === undefined) return undefined;
  if (!isTable(servers)) throw new OneMcpError(`mcp_servers in ${WHAT} is not a table; it should hold one [mcp_servers.<name>] table per server — fix it first, nothing was changed`);
  const entry = servers[name];
  if (entry === undefined || isTable(entry)) return entry;
  throw new OneMcpError(`mcp_servers.${name} in ${WHAT} is not a table; write it as [mcp_servers.${name}] (or delete it) and run this again — nothing was changed`);
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

interface Location {
  /** `[mcp_servers.<name>]` */
  header?: Header;
  /** `<name> = { … }` under [mcp_servers], or `mcp_servers.<name> = { … }` above it. */
  inline?: KeyValue;
  /** The first of `mcp_servers.<name>.command = …` and the like outside our table (all of them in allDotted). */
  dotted?: KeyValue;
  allDotted: KeyValue[];
  /** `mcp_servers = { … }`: the whole map written inline, so no table can be added to it. */
  parentValue?: KeyValue;
}

function locate(text: string, name: string): Location {
  const path = serverPath(name);
  const location: Location = { allDotted: [] };
  for (const s of scanStatements(text)) {
    if (s.kind === 'header') {
      if (!s.array && samePath(s.path, path)) location.header = s;
      continue;
    }
    // Only lines that sit above our table can define it with dotted keys or inline.
    if (!(s.table.length < path.length && startsWith(path, s.table))) continue;
    const full = [...s.table, ...s.key];
    if (samePath(full, path)) location.inline = s;
    else if (startsWith(full, path)) location.allDotted.push(s);
    else if (startsWith(path, full)) location.parentValue = s;
  }
  location.dotted = location.allDotted[0];
  return location;
}

function inTheWay(text: string, s: KeyValue, name: string, what: string): OneMcpError {
  return new OneMcpError(
    `${WHAT} ${what} (line ${lineOf(text, s.start)}), which cannot be edited safely; move mcp_servers.${name} into its own [mcp_servers.${name}] table (or delete it) and run this again — nothing was changed`,
  );
}

/** Keys of our table (one level, `key = …`) between its header and the next header. */
function tableKeys(text: string, name: string): { header: Header; keys: KeyValue[]; last?: KeyValue } {
  const statements = scanStatements(text);
  const at = statements.findIndex((s) => s.kind === 'header' && !s.array && samePath(s.path, serverPath(name)));
  const header = statements[at] as Header;
  const body: KeyValue[] = [];
  for (const s of statements.slice(at + 1)) {
    if (s.kind === 'header') break;
    body.push(s);
  }
  return { header, keys: body.filter((k) => k.key.length === 1), last: body.at(-1) };
}

/** Edit inside an existing [mcp_servers.<name>]: owned keys replaced in place, the rest untouched. */
function editTable(text: string, name: string, entry: CodexEntry, existing: Record<string, unknown>): string {
  const eol = lineBreakOf(text);
  let out = text;
  // One key at a time, re-reading the text after each edit: offsets stay right and the code stays simple.
  // Set and add first, delete after, so a new key can take the place of the other transport's keys.
  for (const key of OWNED) {
    const want = entry[key];
    if (want === undefined) continue;
    const { header, keys } = tableKeys(out, name);
    const owned = keys.filter((k) => rank(k.key[0]!) >= 0);
    const found = owned.find((k) => k.key[0] === key);
    if (found) {
      // Equal values keep the user's spelling (a literal string, a multi-line array).
      if (!sameValue(existing[key], want)) out = out.slice(0, found.valueStart) + tomlValue(want) + out.slice(found.valueEnd);
      continue;
    }
    // After the owned keys that come before it in our order, else where the owned keys start, else under the header.
    const after = owned.filter((k) => rank(k.key[0]!) < rank(key)).at(-1);
    const at = after ? after.end : (owned[0]?.start ?? header.end);
    out = insertLines(out, at, [`${key} = ${tomlValue(want)}`], eol);
  }
  for (const key of OWNED) {
    if (entry[key] !== undefined) continue;
    const found = tableKeys(out, name).keys.find((k) => k.key[0] === key);
    if (found) out = deleteLines(out, found.start, found.end);
  }
  if (entry.startup_timeout_sec !== undefined && !USER_TIMEOUT_KEYS.some((k) => k in existing)) {
    const { header, last } = tableKeys(out, name);
    out = insertLines(out, last ? last.end : header.end, [`startup_timeout_sec = ${tomlValue(entry.startup_timeout_sec)}`], eol);
  }
  return out;
}

/** `<name> = { … }` on one line: rewrite its entries, keeping the user's own ones as written. */
function editInline(text: string, kv: KeyValue, entry: CodexEntry, existing: Record<string, unknown>): string {
  const value = text.slice(kv.valueStart, kv.valueEnd);
  if (!value.startsWith('{') || value.includes('\n')) {
    throw inTheWay(text, kv, kv.key.at(-1)!, `writes mcp_servers.${kv.key.at(-1)} as a multi-line value`);
  }
  const parts: string[] = [];
  const missing: string[] = [];
  let lastOwned = -1;
  let changed = false;
  const entries = inlineEntries(text, kv.valueStart);
  for (const e of entries) {
    const key = e.key.length === 1 && rank(e.key[0]!) >= 0 ? (e.key[0] as (typeof OWNED)[number]) : undefined;
    if (key === undefined) {
      parts.push(text.slice(e.start, e.valueEnd));
      continue;
    }
    const want = entry[key];
    if (want === undefined) {
      changed = true;
      continue;
    }
    if (sameValue(existing[key], want)) parts.push(text.slice(e.start, e.valueEnd));
    else {
      parts.push(text.slice(e.start, e.valueStart) + tomlValue(want));
      changed = true;
    }
    lastOwned = parts.length - 1;
  }
  for (const key of OWNED) {
    const want = entry[key];
    if (want !== undefined && !entries.some((e) => e.key.length === 1 && e.key[0] === key)) missing.push(`${key} = ${tomlValue(want)}`);
  }
  // New owned keys go after the owned ones already there (or first); a new startup timeout goes last.
  parts.splice(lastOwned + 1, 0, ...missing);
  if (entry.startup_timeout_sec !== undefined && !USER_TIMEOUT_KEYS.some((k) => k in existing)) parts.push(`startup_timeout_sec = ${tomlValue(entry.startup_timeout_sec)}`);
  if (!changed && parts.length === entries.length) return text;
  return text.slice(0, kv.valueStart) + (parts.length > 0 ? `{ ${parts.join(', ')} }` : '{}') + text.slice(kv.valueEnd);
}

/** A new table at the end, after one blank line (which removeCodexServer takes away again). */
function appendTable(text: string, name: string, entry: CodexEntry): string {
  const lines = [`[mcp_servers.${tomlKey(name)}]`];
  for (const key of OWNED) {
    const want = entry[key];
    if (want !== undefined) lines.push(`${key} = ${tomlValue(want)}`);
  }
  if (entry.startup_timeout_sec !== undefined) lines.push(`startup_timeout_sec = ${tomlValue(entry.startup_timeout_sec)}`);
  return insertLines(text, text.length, text === '' ? lines : ['', ...lines], lineBreakOf(text));
}

function withoutEntry(doc: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...doc };
  if (isTable(copy.mcp_servers)) {
    const { [name]: _, ...rest } = copy.mcp_servers;
    if (Object.keys(rest).length > 0) copy.mcp_servers = rest;
    else delete copy.mcp_servers;
  }
  return copy;
}

/** The edited file must parse and say exactly what we meant, with everything else as it was; otherwise nothing is written. */
function verifyUpsert(before: Record<string, unknown>, text: string, name: string, entry: CodexEntry): void {
  const fail = (detail: string) => new OneMcpError(`editing ${WHAT} went wrong (${detail}); nothing was written — add [mcp_servers.${name}] by hand`);
  let after: Record<string, unknown>;
  try {
    after = parseToml(text, `${WHAT} after the edit`);
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  const old = entryOf(before, name) ?? {};
  const got = entryOf(after, name);
  if (!got) throw fail(`mcp_servers.${name} is missing`);
  const userTimeout = USER_TIMEOUT_KEYS.some((k) => k in old);
  const expected: Record<string, unknown> = { ...old };
  for (const key of OWNED) {
    if (entry[key] === undefined) delete expected[key];
    else expected[key] = entry[key];
  }
  if (!userTimeout && entry.startup_timeout_sec !== undefined) expected.startup_timeout_sec = entry.startup_timeout_sec;
  if (!sameValue(got, expected)) throw fail(`mcp_servers.${name} would read ${JSON.stringify(got)}`);
  if (!sameValue(withoutEntry(before, name), withoutEntry(after, name))) throw fail('other settings would change');
}
