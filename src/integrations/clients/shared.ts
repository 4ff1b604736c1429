/**
 * What every client module shares: where per-user application data lives on each OS, how a client's
 * config file is described, and how one client's server entry becomes an `mcp.json` entry (the fields
 * we understand mapped, everything else kept aside, never guessed).
 */
import { join } from 'node:path';
import { parseJsonText, JsonTextError } from '../../config/json-text.ts';
import { OneMcpError } from '../../errors.ts';

export const APP_NAMES = ['codex', 'claude-code', 'claude-desktop', 'cursor', 'vscode', 'windsurf', 'gemini', 'cline', 'zed'] as const;
export type AppName = (typeof APP_NAMES)[number];
export type ClientPlatform = 'linux' | 'darwin' | 'win32';

/** Everything a client's locations depend on: tests point it at a fake home and another OS. */
export interface ClientContext {
  platform: ClientPlatform;
  home: string;
  env: NodeJS.ProcessEnv;
  /** The project folder: where project-scoped files (.mcp.json, .vscode/mcp.json …) are looked for. */
  cwd: string;
}

export interface ConfigFile {
  app: AppName;
  path: string;
  /** user: for every project; project: a file in the project, shared through git; local: per project, in a user file. */
  scope: 'user' | 'project';
}

export interface FoundServer {
  app: AppName;
  name: string;
  /** Claude Code's per-project servers in ~/.claude.json are "local". */
  scope: 'user' | 'project' | 'local';
  file: string;
  /** For local scope: the project folder the entry belongs to. */
  project?: string;
  /** The server as an mcp.json entry (type, command, args, env, cwd, url, headers, disabled). */
  entry: Record<string, unknown>;
  /** The client's fields we do not map, kept as written. */
  extra: Record<string, unknown>;
  /** What a person should know before importing it (a value to provide, a field we could not read). */
  notes: string[];
}

export interface ClientDef {
  name: AppName;
  label: string;
  /** Where the client documents its MCP configuration. */
  docs: string;
  /** Whether the client connects to Streamable HTTP servers by URL (else: stdio only, through the proxy). */
  http: boolean;
  files(ctx: ClientContext): ConfigFile[];
  /** The servers in one of its files. Pure; throws OneMcpError on a file it cannot parse. */
  read(text: string, file: ConfigFile): FoundServer[];
}

/**
 * The per-user application data folder: %APPDATA% (Roaming) on Windows, ~/Library/Application Support on
 * macOS, $XDG_CONFIG_HOME or ~/.config on Linux — where Electron apps such as VS Code and Claude Desktop
 * keep their settings.
 */
export function appDataDir(ctx: ClientContext): string {
  if (ctx.platform === 'win32') return ctx.env.APPDATA || join(ctx.home, 'AppData', 'Roaming');
  if (ctx.platform === 'darwin') return join(ctx.home, 'Library', 'Application Support');
  return ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config');
}

/**
 * A client's JSON file. Read leniently (comments, trailing commas): several clients allow them, and
 * reading more than a client writes changes nothing here.
 */
export function parseClientJson(text: string, path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJsonText(text, { lenient: true });
  } catch (e) {
    if (e instanceof JsonTextError) throw new OneMcpError(`${path}: invalid JSON: ${e.message}`);
    throw e;
  }
  if (!isObject(value)) throw new OneMcpError(`${path}: expected a JSON object at the top`);
  return value;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The named servers under `key` of `container` (own keys only), or none. */
export function serverMap(container: Record<string, unknown>, key: string): [string, Record<string, unknown>][] {
  const map = Object.hasOwn(container, key) ? container[key] : undefined;
  if (!isObject(map)) return [];
  return Object.entries(map).filter((e): e is [string, Record<string, unknown>] => isObject(e[1]));
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringRecord = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * Map one entry. `rename` says which of the client's keys mean one of ours (e.g. Windsurf's serverUrl
 * → url). Anything else, and a known key with a value of the wrong shape, stays in `extra` with a note.
 */
export function mapEntry(raw: Record<string, unknown>, rename: Record<string, string> = {}): { entry: Record<string, unknown>; extra: Record<string, unknown>; notes: string[] } {
  const entry: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  const notes: string[] = [];
  const checks: Record<string, (v: unknown) => boolean> = {
    command: (v) => typeof v === 'string' && v !== '',
    args: isStringArray,
    env: isStringRecord,
    cwd: (v) => typeof v === 'string',
    url: (v) => typeof v === 'string' && v !== '',
    headers: isStringRecord,
    disabled: (v) => typeof v === 'boolean',
  };
  for (const [key, value] of Object.entries(raw)) {
    const ours = Object.hasOwn(rename, key) ? rename[key]! : key;
    const check: ((v: unknown) => boolean) | undefined = Object.hasOwn(checks, ours) ? checks[ours] : undefined;
    if (check && check(value)) entry[ours] = value;
    else {
      if (check) notes.push(`"${key}" is not in the expected form; kept aside`);
      extra[key] = value;
    }
  }
  if (entry.url !== undefined && entry.command !== undefined) notes.push('has both a command and a URL');
  if (entry.url === undefined && entry.command === undefined) notes.push('has neither a command nor a URL: nothing to run');
  return { entry, extra, notes };
}

/** The transport from a client's `type` value: ours when it names one we know, else left out (inferred). */
export function transportOf(type: unknown): 'stdio' | 'http' | 'sse' | undefined {
  if (type === 'stdio' || type === 'sse') return type;
  if (type === 'http' || type === 'streamableHttp' || type === 'streamable-http') return 'http';
  return undefined;
}

/** One server entry of a client as found: `type` read as the transport, the rest mapped. */
export function foundServer(
  app: AppName,
  name: string,
  raw: Record<string, unknown>,
  file: string,
  scope: FoundServer['scope'],
  options: { rename?: Record<string, string>; project?: string } = {},
): FoundServer {
  const { type, ...rest } = raw;
  const mapped = mapEntry(rest, options.rename);
  const transport = transportOf(type);
  if (type !== undefined && !transport) mapped.extra.type = type;
  const entry = transport ? { type: transport, ...mapped.entry } : mapped.entry;
  return { app, name, scope, file, ...(options.project ? { project: options.project } : {}), entry, extra: mapped.extra, notes: mapped.notes };
}

/** The usual mcpServers-style file: every entry under `key`. */
export function readServerMap(
  app: AppName,
  json: Record<string, unknown>,
  key: string,
  file: string,
  scope: FoundServer['scope'],
  options: { rename?: Record<string, string>; project?: string } = {},
): FoundServer[] {
  return serverMap(json, key).map(([name, raw]) => foundServer(app, name, raw, file, scope, options));
}
