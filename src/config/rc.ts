/**
 * `.1mcprc` (SPEC §2.4): the project file that chooses a view for `1mcp proxy`. Looked up from the
 * working directory upward, never above the user's home; JSON with comments and trailing commas.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { JsonTextError, parseJsonText } from './json-text.ts';

export interface ProjectRc {
  path: string;
  preset?: string;
  filter?: string;
  tags?: string[];
  url?: string;
  token_env?: string;
}

export const RC_NAME = '.1mcprc';

export function findProjectRc(cwd: string, homeDir: string): ProjectRc | undefined {
  const home = resolve(homeDir);
  let dir = resolve(cwd);
  // Only walk up while inside home; outside home (e.g. /tmp/project) look in cwd and its parents up to root.
  const insideHome = !relative(home, dir).startsWith('..');
  for (;;) {
    const candidate = join(dir, RC_NAME);
    let text: string | undefined;
    try {
      text = readFileSync(candidate, 'utf8');
    } catch {}
    if (text !== undefined) return parseProjectRc(text, candidate);
    if (insideHome && dir === home) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
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
  if (v.tags !== undefined) {
    if (typeof v.tags === 'string') rc.tags = v.tags.split(',').map((t) => t.trim()).filter(Boolean);
    else if (Array.isArray(v.tags) && v.tags.every((t) => typeof t === 'string')) rc.tags = v.tags as string[];
    else throw new OneMcpError(`${path}: "tags" must be an array of strings or a comma-separated string`);
  }
  return rc;
}
