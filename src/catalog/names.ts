/**
 * Exposed names (docs/protocol.md): `<prefix>_1mcp_<name>`, always matching ^[A-Za-z0-9_-]{1,64}$ and at most
 * `budget` characters (53 by default: Codex and Claude Code add `mcp__1mcp__`, and models cap names at 64).
 * A name that had to be changed — characters replaced or cut — ends with `_` and 6 hex characters of a
 * hash of the full original, so it is stable across restarts and machines, and two originals that
 * sanitise alike still get different names. Names that needed no change are left readable as they are.
 *
 * Pure code, no I/O: the catalog feeds it each backend's lists and gets back exact maps both ways plus
 * the collisions to report as load errors for the later server.
 */
export const DEFAULT_NAME_BUDGET = 53;
/** The hard limit of MCP clients and model APIs; a larger budget is clamped to it. */
export const MAX_NAME_LENGTH = 64;
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SEPARATOR = '_1mcp_';
const VALID = /^[A-Za-z0-9_-]+$/;
/** `_` + 6 hash characters. */
const SUFFIX_LENGTH = 7;

/** FNV-1a (32-bit) over UTF-16 code units: tiny, no import to load, the same on every machine. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0').slice(0, 6);
}

/**
 * The name a client sees for a backend's tool or prompt. `prefix === ''` exposes the original bare.
 * A budget below 7 leaves no room for the hash suffix and is a programming error.
 */
export function exposedName(prefix: string, original: string, budget = DEFAULT_NAME_BUDGET): string {
  if (!(budget >= SUFFIX_LENGTH)) throw new RangeError(`name budget must be at least ${SUFFIX_LENGTH}, got ${budget}`);
  const limit = Math.min(Math.floor(budget), MAX_NAME_LENGTH);
  const full = prefix === '' ? original : `${prefix}${SEPARATOR}${original}`;
  if (full.length > 0 && full.length <= limit && VALID.test(full)) return full;
  const clean = full.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${clean.slice(0, limit - SUFFIX_LENGTH)}_${shortHash(full)}`;
}

/** The URI under which a later server's resource with an already-taken URI is exposed (not sanitised). */
export function resourceAlias(prefix: string, uri: string): string {
  return `${prefix}${SEPARATOR}${uri}`;
}

/** One backend's names as the table needs them. `names` are original tool (or prompt) names. */
export interface ServerNames {
  server: string;
  prefix: string;
  names: readonly string[];
}

export interface NameOwner {
  server: string;
  original: string;
}

/** A name the later `server` could not take because `conflictsWith` (a server key) already holds it. */
export interface NameConflict {
  server: string;
  original: string;
  /** The exposed name (or URI) both wanted. */
  name: string;
  conflictsWith: string;
}

export interface NameTable {
  /** exposed name → owner; the route for calls. */
  byExposed: Map<string, NameOwner>;
  /** server → original → exposed name; only names that were granted. */
  byServer: Map<string, Map<string, string>>;
  /** Load errors, in server order: the later server's entry never shadows the earlier one. */
  conflicts: NameConflict[];
}

/**
 * Exposed names for one kind (tools or prompts) across all servers, in config order. A backend that
 * lists the same original twice gets one entry, not a conflict with itself.
 */
export function buildNameTable(servers: readonly ServerNames[], budget = DEFAULT_NAME_BUDGET): NameTable {
  return claimAll(servers, (s, original) => exposedName(s.prefix, original, budget));
}

/** The exposed name of a server's original name, or undefined when it was not granted (conflict). */
export function exposedOf(table: NameTable, server: string, original: string): string | undefined {
  return table.byServer.get(server)?.get(original);
}

/** One backend's resource URIs. */
export interface ServerUris {
  server: string;
  prefix: string;
  uris: readonly string[];
}

/**
 * Exposed resource URIs (docs/protocol.md): the original URI when free, else `<prefix>_1mcp_<uri>` for the
 * later server; when even the alias is taken (two servers sharing a prefix), that is a conflict.
 * The same table shape as names: `byExposed` routes reads (both forms), `byServer` lists.
 */
export function buildUriTable(servers: readonly ServerUris[]): NameTable {
  return claimAll(
    servers.map((s) => ({ server: s.server, prefix: s.prefix, names: s.uris })),
    (s, uri, taken) => (taken.has(uri) ? resourceAlias(s.prefix, uri) : uri),
  );
}

function claimAll(servers: readonly ServerNames[], nameFor: (s: ServerNames, original: string, taken: Map<string, NameOwner>) => string): NameTable {
  const table: NameTable = { byExposed: new Map(), byServer: new Map(), conflicts: [] };
  for (const s of servers) {
    let mine = table.byServer.get(s.server);
    if (!mine) table.byServer.set(s.server, (mine = new Map()));
    const seen = new Set<string>();
    for (const original of s.names) {
      if (seen.has(original)) continue;
      seen.add(original);
      const name = nameFor(s, original, table.byExposed);
      const owner = table.byExposed.get(name);
      if (owner) {
        table.conflicts.push({ server: s.server, original, name, conflictsWith: owner.server });
        continue;
      }
      table.byExposed.set(name, { server: s.server, original });
      mine.set(original, name);
    }
  }
  return table;
}
