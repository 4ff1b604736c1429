/**
 * Codex's config.toml (SPEC §1.6, CODEX.md): add, update or remove our `[mcp_servers.<name>]` table by
 * editing text, so comments, other tables and key order stay exactly as the user wrote them.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { findBlocks, findKey, headerPath, joinLines, parseToml, splitLines, startsWith, tomlKey, tomlValue } from './toml-text.ts';

export interface CodexEntry {
  command?: string;
  args?: string[];
  url?: string;
  bearer_token_env_var?: string;
  /** Set only when the user has not set it. */
  startup_timeout_sec?: number;
}

export function codexConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.CODEX_HOME || join(env.HOME || env.USERPROFILE || homedir(), '.codex');
  return join(home, 'config.toml');
}

function serversOf(doc: Record<string, unknown>): Record<string, unknown> {
  const s = doc.mcp_servers;
  return s && typeof s === 'object' ? (s as Record<string, unknown>) : {};
}

function mainBlock(lines: string[], name: string) {
  return findBlocks(lines, ['mcp_servers', name]).find((b) => headerPath(lines[b.start]!)!.length === 2);
}

export function upsertCodexServer(text: string, name: string, entry: CodexEntry): { text: string; changed: boolean } {
  const before = parseToml(text, 'the Codex config');
  const existing = serversOf(before)[name] as Record<string, unknown> | undefined;
  const doc = splitLines(text);
  const { lines, eol } = doc;
  const block = mainBlock(lines, name);
  if (existing && !block) {
    throw new OneMcpError(`the Codex config defines mcp_servers.${name} in an inline or dotted form; move it into a [mcp_servers.${name}] table (or delete it) and run this again`);
  }
  const wanted: [string, string | number | string[] | undefined][] = [
    ['command', entry.command],
    ['args', entry.args],
    ['url', entry.url],
    ['bearer_token_env_var', entry.bearer_token_env_var],
  ];
  if (!block) {
    const body = [`[mcp_servers.${tomlKey(name)}]`];
    for (const [k, v] of wanted) if (v !== undefined) body.push(`${k} = ${tomlValue(v)}`);
    if (entry.startup_timeout_sec !== undefined) body.push(`startup_timeout_sec = ${entry.startup_timeout_sec}`);
    // A blank line between the user's last table and ours (removed again by --remove).
    const out = lines.length > 0 ? [...lines, '', ...body] : body;
    const result = joinLines({ lines: out, eol, finalEol: true });
    verify(result, name, entry);
    return { text: result, changed: true };
  }
  // Edit inside our table only: replace keys we own in place, drop the other transport's keys, add missing ones.
  const out = [...lines];
  let end = block.end;
  let insertAt = block.start + 1;
  const setKey = (key: string, value: string | number | string[] | undefined) => {
    const found = findKey(out, block.start + 1, end, key);
    if (value === undefined) {
      if (found) {
        out.splice(found.start, found.end - found.start);
        end -= found.end - found.start;
      }
      return;
    }
    const line = `${key} = ${tomlValue(value)}`;
    if (found) {
      const removed = found.end - found.start;
      out.splice(found.start, removed, line);
      end += 1 - removed;
    } else {
      // Right after the header, in our order, before the user's own keys.
      out.splice(insertAt++, 0, line);
      end++;
    }
  };
  for (const [k, v] of wanted) setKey(k, v);
  if (entry.startup_timeout_sec !== undefined && !findKey(out, block.start + 1, end, 'startup_timeout_sec')) {
    let at = end;
    while (at > block.start + 1 && out[at - 1]!.trim() === '') at--;
    out.splice(at, 0, `startup_timeout_sec = ${entry.startup_timeout_sec}`);
  }
  const result = joinLines({ ...doc, lines: out });
  if (result === text) return { text, changed: false };
  verify(result, name, entry);
  return { text: result, changed: true };
}

export function removeCodexServer(text: string, name: string): { text: string; changed: boolean } {
  const before = parseToml(text, 'the Codex config');
  const doc = splitLines(text);
  const blocks = findBlocks(doc.lines, ['mcp_servers', name]).filter((b) => startsWith(headerPath(doc.lines[b.start]!)!, ['mcp_servers', name]));
  if (blocks.length === 0) {
    if (serversOf(before)[name]) throw new OneMcpError(`the Codex config defines mcp_servers.${name} in an inline or dotted form; remove it by hand`);
    return { text, changed: false };
  }
  const out = [...doc.lines];
  for (const b of [...blocks].reverse()) out.splice(b.start, b.end - b.start);
  // Our table was last: drop the blank line we put before it, and any left at the end.
  const lastRemoved = blocks.at(-1)!;
  if (lastRemoved.end === doc.lines.length) while (out.length > 0 && out.at(-1)!.trim() === '') out.pop();
  const result = joinLines({ ...doc, lines: out, finalEol: out.length > 0 });
  if (serversOf(parseToml(result, 'the edited Codex config'))[name]) throw new OneMcpError(`could not remove mcp_servers.${name} from the Codex config; it was not changed`);
  return { text: result, changed: true };
}

/** The edited file must parse and say exactly what we meant: otherwise nothing is written. */
function verify(text: string, name: string, entry: CodexEntry): void {
  const got = serversOf(parseToml(text, 'the edited Codex config'))[name] as Record<string, unknown> | undefined;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const ok =
    got &&
    same(got.command, entry.command) &&
    same(got.args, entry.args) &&
    same(got.url, entry.url) &&
    same(got.bearer_token_env_var, entry.bearer_token_env_var) &&
    (entry.startup_timeout_sec === undefined || got.startup_timeout_sec !== undefined);
  if (!ok) throw new OneMcpError(`editing the Codex config went wrong (mcp_servers.${name} would read ${JSON.stringify(got)}); nothing was written`);
}
