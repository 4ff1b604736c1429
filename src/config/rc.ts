/**
 * `.1mcprc` (docs/configuration.md): the project file that chooses a view for `1mcp proxy`. JSON with comments and
 * trailing commas. It is project data, often from someone else's repository, so where it is looked up
 * and what it may ask for are bounded (docs/security.md):
 * - inside the user's home: from the working directory up to the home, never above;
 * - outside the home: up to the repository root (the nearest folder holding `.git`); with no repository,
 *   only the working directory itself. A `/tmp/.1mcprc` never applies to `/tmp/proj/sub`;
 * - `token_env` may only name an `ONE_MCP_*` variable, so a cloned repository cannot have the proxy
 *   send, say, AWS_SECRET_ACCESS_KEY as a bearer token.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, parse, relative, resolve, isAbsolute } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { JsonTextError, parseJsonText } from './json-text.ts';

export interface ProjectRc {
  path: string;
  preset?: string;
  filter?: string;
  tags?: string[];
  url?: string;
  token_env?: string;
  /** Search mode for the proxy's session, and the tools kept listed in it (docs/configuration.md). */
  discovery?: 'search' | 'auto' | 'off';
  pin?: string[];
}

export const RC_NAME = '.1mcprc';
export const TOKEN_ENV_PREFIX = 'ONE_MCP_';

function isInside(dir: string, root: string): boolean {
  const rel = relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function isFsRoot(dir: string): boolean {
  return parse(dir).root === dir;
}

/** The folders searched for a `.1mcprc`, nearest first. */
export function rcSearchDirs(cwd: string, homeDir: string): string[] {
  const start = resolve(cwd);
  const home = resolve(homeDir);
  // A home of "/" (some service accounts) bounds nothing: use the repository rule then.
  if (!isFsRoot(home) && isInside(start, home)) {
    const dirs: string[] = [];
    for (let dir = start; ; dir = dirname(dir)) {
      dirs.push(dir);
      if (dir === home) return dirs;
    }
  }
  const dirs: string[] = [];
  for (let dir = start; !isFsRoot(dir); dir = dirname(dir)) {
    dirs.push(dir);
    if (existsSync(join(dir, '.git'))) return dirs;
  }
  return [start];
}

export function findProjectRc(cwd: string, homeDir: string): ProjectRc | undefined {
  for (const dir of rcSearchDirs(cwd, homeDir)) {
    const candidate = join(dir, RC_NAME);
    let text: string | undefined;
    try {
      text = readFileSync(candidate, 'utf8');
    } catch {}
    if (text !== undefined) return parseProjectRc(text, candidate);
  }
  return undefined;
}

export function parseProjectRc(text: string, path: string): ProjectRc {
  let value: unknown;
  try {
    value = parseJsonText(text, { lenient: true });
  } catch (e) {
    if (e instanceof JsonTextError) throw new OneMcpError(`${path}:${e.line}:${e.column}: invalid .1mcprc: ${e.reason}`);
    throw e;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new OneMcpError(`${path}:1:1: invalid .1mcprc: expected an object like { "preset": "name" }`);
  }
  const v = value as Record<string, unknown>;
  const rc: ProjectRc = { path };
  const str = (key: 'preset' | 'filter' | 'url' | 'token_env') => {
    if (v[key] === undefined) return;
    if (typeof v[key] !== 'string') throw new OneMcpError(`${path}: "${key}" must be a string`);
    rc[key] = v[key] as string;
  };
  str('preset');
  str('filter');
  str('url');
  str('token_env');
  if (rc.token_env !== undefined && (!rc.token_env.startsWith(TOKEN_ENV_PREFIX) || rc.token_env.length === TOKEN_ENV_PREFIX.length)) {
    throw new OneMcpError(
      `${path}: "token_env" may only name a variable starting with ${TOKEN_ENV_PREFIX} (got "${rc.token_env}"), so a project file cannot send other secrets as a token; e.g. "token_env": "ONE_MCP_TOKEN_WORK"`,
    );
  }
  if (v.discovery !== undefined) {
    if (v.discovery !== 'search' && v.discovery !== 'auto' && v.discovery !== 'off') {
      throw new OneMcpError(`${path}: "discovery" must be "search", "auto" or "off" (got ${JSON.stringify(v.discovery)})`);
    }
    rc.discovery = v.discovery;
  }
  if (v.pin !== undefined) {
    if (typeof v.pin === 'string') rc.pin = v.pin.split(',').map((t) => t.trim()).filter(Boolean);
    else if (Array.isArray(v.pin) && v.pin.every((t) => typeof t === 'string')) rc.pin = v.pin as string[];
    else throw new OneMcpError(`${path}: "pin" must be an array of tool names as tools/list shows them, e.g. ["files_1mcp_read_file"]`);
  }
  if (v.tags !== undefined) {
    if (typeof v.tags === 'string') rc.tags = v.tags.split(',').map((t) => t.trim()).filter(Boolean);
    else if (Array.isArray(v.tags) && v.tags.every((t) => typeof t === 'string')) rc.tags = v.tags as string[];
    else throw new OneMcpError(`${path}: "tags" must be an array of strings or a comma-separated string`);
  }
  return rc;
}
