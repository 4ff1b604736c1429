/**
 * Exposed names (SPEC §4.2): `<prefix>_1mcp_<name>`, always matching ^[A-Za-z0-9_-]{1,64}$ and at most
 * `budget` characters (53 by default: Codex and Claude Code add `mcp__1mcp__`, and models cap names at 64).
 * A name that had to be changed — characters replaced or cut — ends with `_` and 6 hex characters of a
 * hash of the full original, so it is stable across restarts and machines, and two originals that
 * sanitise alike still get different names. Names that needed no change are left readable as they are.
 */
export const DEFAULT_NAME_BUDGET = 53;
const SEPARATOR = '_1mcp_';
const VALID = /^[A-Za-z0-9_-]+$/;

/** FNV-1a (32-bit) over UTF-16 code units: tiny, fast to load, the same everywhere. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0').slice(0, 6);
}

export function exposedName(prefix: string, original: string, budget = DEFAULT_NAME_BUDGET): string {
  const full = prefix === '' ? original : `${prefix}${SEPARATOR}${original}`;
  if (full.length > 0 && full.length <= budget && VALID.test(full)) return full;
  const clean = full.replace(/[^A-Za-z0-9_-]/g, '_');
  const suffix = `_${shortHash(full)}`;
  return `${clean.slice(0, Math.max(0, budget - suffix.length))}${suffix}`;
}

/** The URI under which a second server's resource with an already-taken URI is exposed. */
export function resourceAlias(prefix: string, uri: string): string {
  return `${prefix}${SEPARATOR}${uri}`;
}
