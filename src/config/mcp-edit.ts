/**
 * Edits of `mcp.json` made by `1mcp mcp …`: pure functions over the raw object (unknown fields are
 * kept), and one safe read-validate-modify-validate-write cycle under the file's lock.
 */
import { OneMcpError, UsageError } from '../errors.ts';
import { parseMcpText, validateMcpConfig, type RawMcpFile } from './mcp-config.ts';
import { SERVER_NAME } from './mcp-schema.ts';
import { ownEntry, setOwnEntry } from './own.ts';
import { mcpFileText, serveNotes } from './mcp-write.ts';
import { updateFile } from './safe-write.ts';

export type RawServer = Record<string, unknown>;

export function assertServerName(name: string): void {
  if (!SERVER_NAME.test(name)) {
    throw new UsageError(`invalid server name "${name}": use 1-50 letters, digits, '_' or '-'`);
  }
}

export function getServers(raw: RawMcpFile): Record<string, RawServer> {
  if (!raw.mcpServers || typeof raw.mcpServers !== 'object') raw.mcpServers = {};
  return raw.mcpServers as Record<string, RawServer>;
}

/** The server entry named `name` (own entries only: `toString` is a name like any other). */
export function findServer(raw: RawMcpFile, name: string): RawServer | undefined {
  return ownEntry(getServers(raw), name);
}

export function requireServer(raw: RawMcpFile, name: string): RawServer {
  const server = findServer(raw, name);
  if (!server) {
    const known = Object.keys(getServers(raw));
    throw new OneMcpError(`no server named "${name}" in mcp.json${known.length ? ` (known: ${known.join(', ')})` : ''}; see "1mcp mcp list"`);
  }
  return server;
}

export interface EditResult<T> {
  changed: boolean;
  backup?: string;
  value: T;
  /**
   * Sentences for the user about this write: what a running serve will not do with it (an unset
   * ${VAR}, a file it rejects), or that formatting could not be kept. Empty when all is well.
   */
  notes: string[];
}

/**
 * Read `mcp.json` under its lock, refuse to start from an invalid file, apply `edit`, validate the
 * result, then write atomically with a backup. The text is edited in place, so comments and
 * formatting outside the changed entries survive. ${VAR}s are stored as written: serve resolves
 * them per server when it starts one (`touched` is kept for callers; every changed server is checked).
 */
export function editMcpFile<T>(path: string, backupsDir: string, edit: (raw: RawMcpFile) => { value: T; touched: string[] }, env: NodeJS.ProcessEnv = process.env): EditResult<T> {
  let value!: T;
  const notes: string[] = [];
  const result = updateFile(path, backupsDir, (text) => {
    const read = () => (text === undefined ? ({ mcpServers: {} } as RawMcpFile) : parseMcpText(text, path));
    const before = read();
    validateMcpConfig(before, path, { substitute: false });
    const raw = read();
    value = edit(raw).value;
    validateMcpConfig(raw, path, { substitute: false });
    notes.length = 0;
    notes.push(...serveNotes(before, raw, env));
    return mcpFileText(text, before, raw, notes);
  });
  return { ...result, value, notes: result.changed ? notes : [] };
}

/** Build the JSON entry for `mcp add` / merge a patch for `mcp update`. */
export interface ServerPatch {
  type?: string;
  command?: string;
  args?: string[];
  url?: string;
  env?: Record<string, string>;
  headers?: Record<string, string>;
  tags?: string[];
  cwd?: string;
  timeout?: number;
  disabled?: boolean;
  restartOnExit?: boolean;
  maxRestarts?: number;
  restartDelay?: number;
  scope?: 'shared' | 'session';
}

export function applyPatch(server: RawServer, patch: ServerPatch): void {
  if (patch.command !== undefined || patch.args !== undefined) {
    if (patch.command !== undefined) {
      server.command = patch.command;
      delete server.url;
    }
    if (patch.args !== undefined) server.args = patch.args;
  }
  if (patch.url !== undefined) {
    server.url = patch.url;
    delete server.command;
    delete server.args;
  }
  if (patch.type !== undefined) server.type = patch.type;
  else if (patch.url !== undefined || patch.command !== undefined) {
    // The kind changed without an explicit type: let it be inferred again.
    if (server.type && ((server.type === 'stdio') !== (patch.command !== undefined))) delete server.type;
  }
  if (patch.env) server.env = { ...((server.env as Record<string, string>) ?? {}), ...patch.env };
  if (patch.headers) server.headers = { ...((server.headers as Record<string, string>) ?? {}), ...patch.headers };
  if (patch.tags !== undefined) server.tags = patch.tags;
  if (patch.cwd !== undefined) server.cwd = patch.cwd;
  if (patch.timeout !== undefined) server.timeout = patch.timeout;
  if (patch.disabled !== undefined) {
    if (patch.disabled) server.disabled = true;
    else delete server.disabled;
  }
  if (patch.restartOnExit !== undefined) server.restartOnExit = patch.restartOnExit;
  if (patch.maxRestarts !== undefined) server.maxRestarts = patch.maxRestarts;
  if (patch.restartDelay !== undefined) server.restartDelay = patch.restartDelay;
  if (patch.scope !== undefined) server.scope = patch.scope;
}

export function newServerEntry(patch: ServerPatch): RawServer {
  const entry: RawServer = {};
  if (patch.type) entry.type = patch.type;
  applyPatch(entry, { ...patch, type: undefined });
  if (patch.type) entry.type = patch.type;
  // Put the most important fields first, as a person would write them.
  const order = ['type', 'command', 'args', 'url', 'headers', 'env', 'cwd', 'tags'];
  const sorted: RawServer = {};
  for (const k of order) if (k in entry) sorted[k] = entry[k];
  for (const k of Object.keys(entry)) if (!(k in sorted)) sorted[k] = entry[k];
  return sorted;
}

/** Parse repeated KEY=VALUE options into an object. */
export function parsePairs(values: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageError(`--${flag} expects KEY=VALUE, got "${v}"`);
    setOwnEntry(out, v.slice(0, i), v.slice(i + 1));
  }
  return out;
}

/** Values that look like secrets are shown as ***** unless --show-secrets. */
export function redact(record: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!record) return record;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v.startsWith('${') && v.endsWith('}') ? v : '*****']));
}
