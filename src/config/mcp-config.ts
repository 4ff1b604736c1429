/**
 * Read and validate `mcp.json`. Two views of the same file:
 *  - the raw object (what is on disk, unknown fields included) — the CLI edits this and writes it back;
 *  - the normalised ServerConfig list — what `serve` runs.
 */
import { dirname } from 'node:path';
import type { z } from 'zod';
import { OneMcpError } from '../errors.ts';
import { describeUnresolved, substituteEnv, type SubstitutionProblem } from './env-subst.ts';
import { parseJsonFile, readTextIfExists } from './json-text.ts';
import { oauthFile } from './oauth-store.ts';
import { DEFAULTS, mcpFileSchema, SERVER_NAME, serverDefaultsSchema, serverEntrySchema, type ServerConfig, type ServerEntry, type TransportType } from './mcp-schema.ts';

export type RawMcpFile = Record<string, unknown> & { mcpServers?: Record<string, unknown> };

export interface LoadedMcpFile {
  path: string;
  /** Exact bytes read, or undefined when the file does not exist yet. */
  text: string | undefined;
  raw: RawMcpFile;
}

/** Read `mcp.json`; a missing file is an empty config. Invalid JSON names line and column. */
export function readMcpFile(path: string): LoadedMcpFile {
  const text = readTextIfExists(path);
  return { path, text, raw: text === undefined ? { mcpServers: {} } : parseMcpText(text, path) };
}

export function parseMcpText(text: string, path: string): RawMcpFile {
  if (text.trim() === '') return { mcpServers: {} };
  // Comments are accepted (people paste from docs); 1mcp edits the file as text and keeps them.
  const value = parseJsonFile(text, path, { lenient: true });
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new OneMcpError(`${path}: expected a JSON object with "mcpServers" at the top level`);
  }
  return value as RawMcpFile;
}

export interface ValidateOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Replace ${VAR} in each enabled server's connection fields; when false, strings are kept as written
   * (serve --enable-env-substitution=false, and the CLI, which stores references as typed).
   */
  substitute?: boolean;
  /** Resolve disabled servers too (a CLI command that starts one by hand, e.g. `mcp tools <name>`). */
  resolveDisabled?: boolean;
}

/** Validate the whole file and return every server normalised; throws one error listing all problems. */
export function validateMcpConfig(raw: RawMcpFile, path: string, options: ValidateOptions = {}): ServerConfig[] {
  const problems: string[] = [];
  const top = mcpFileSchema.safeParse(raw);
  if (!top.success) problems.push(...formatIssues(top.error.issues, ''));
  const defaultsRaw = (raw.serverDefaults ?? {}) as Record<string, unknown>;
  const defaultsParsed = serverDefaultsSchema.safeParse(defaultsRaw);
  const defaults: Partial<ServerEntry> = defaultsParsed.success ? (defaultsParsed.data as Partial<ServerEntry>) : {};

  const servers: ServerConfig[] = [];
  const entries = raw.mcpServers && typeof raw.mcpServers === 'object' ? Object.entries(raw.mcpServers) : [];
  for (const [name, value] of entries) {
    const where = `server "${name}"`;
    if (!SERVER_NAME.test(name)) {
      problems.push(`${where}: invalid name; use 1-50 letters, digits, '_' or '-'`);
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${where}: expected an object with "command" or "url"`);
      continue;
    }
    const parsed = serverEntrySchema.safeParse(value);
    if (!parsed.success) {
      problems.push(...formatIssues(parsed.error.issues, where));
      continue;
    }
    const server = normalise(name, parsed.data, defaults, problems);
    if (!server) continue;
    if (server.type !== 'stdio') server.oauthFile = oauthFile(dirname(path), name);
    // ${VAR}s are resolved per server: an unset variable fails only this server (it gets state
    // "error" in serve), and a disabled server is not resolved at all.
    if (options.substitute !== false && (!server.disabled || options.resolveDisabled)) resolveServer(server, options.env ?? process.env);
    servers.push(server);
  }
  if (problems.length > 0) {
    throw new OneMcpError(`${path}: ${problems.join('; ')}`);
  }
  return servers;
}

function normalise(name: string, e: ServerEntry, d: Partial<ServerEntry>, problems: string[]): ServerConfig | undefined {
  const where = `server "${name}"`;
  let type: TransportType;
  let typeInferred = false;
  if (e.type === 'streamableHttp' || e.type === 'streamable-http') type = 'http';
  else if (e.type) type = e.type;
  else if (e.command) type = 'stdio';
  else if (e.url) {
    type = /\/sse\/?$/.test(new URL(e.url).pathname) ? 'sse' : 'http';
    typeInferred = type === 'http';
  } else {
    problems.push(`${where}: needs "command" (a local program) or "url" (a remote server)`);
    return undefined;
  }
  if (type === 'stdio' && !e.command) {
    problems.push(`${where}: type "stdio" needs a "command"`);
    return undefined;
  }
  if (type !== 'stdio' && !e.url) {
    problems.push(`${where}: type "${type}" needs a "url"`);
    return undefined;
  }
  const pick = <K extends keyof ServerEntry>(k: K) => (e[k] !== undefined ? e[k] : d[k]);
  return {
    name,
    type,
    typeInferred,
    command: e.command,
    args: e.args ?? [],
    env: { ...(d.env ?? {}), ...(e.env ?? {}) },
    cwd: pick('cwd'),
    url: e.url,
    headers: { ...(d.headers ?? {}), ...(e.headers ?? {}) },
    tags: (pick('tags') ?? []).map((t) => t.toLowerCase()),
    disabled: pick('disabled') ?? false,
    connectionTimeout: pick('connectionTimeout') ?? DEFAULTS.connectionTimeout,
    requestTimeout: e.requestTimeout ?? e.timeout ?? d.requestTimeout ?? d.timeout ?? DEFAULTS.requestTimeout,
    restartOnExit: pick('restartOnExit') ?? DEFAULTS.restartOnExit,
    maxRestarts: pick('maxRestarts') ?? DEFAULTS.maxRestarts,
    restartDelay: pick('restartDelay') ?? DEFAULTS.restartDelay,
    inheritParentEnv: pick('inheritParentEnv') ?? DEFAULTS.inheritParentEnv,
    envFilter: pick('envFilter'),
    disabledTools: pick('disabledTools') ?? [],
    prefix: pick('prefix') ?? name,
    description: e.description,
    scope: pick('scope') ?? DEFAULTS.scope,
    maxInstances: pick('maxInstances') ?? DEFAULTS.maxInstances,
    protocol: pick('protocol') ?? 'auto',
    ...(type !== 'stdio' ? { oauth: e.oauth } : {}),
  };
}

/** The fields a server is started with: the only ones where ${VAR} is replaced. */
const SUBSTITUTED_FIELDS = ['command', 'args', 'env', 'cwd', 'url', 'headers', 'oauth'] as const;

/** Replace ${VAR}s in place; unset ones leave the server with a `configProblem` instead of values. */
function resolveServer(server: ServerConfig, env: NodeJS.ProcessEnv): void {
  const problems: SubstitutionProblem[] = [];
  const resolved: Partial<ServerConfig> = {};
  for (const field of SUBSTITUTED_FIELDS) {
    if (server[field] !== undefined) (resolved as Record<string, unknown>)[field] = substituteEnv(server[field], env, field, problems);
  }
  if (problems.length) server.configProblem = describeUnresolved(server.name, problems);
  else Object.assign(server, resolved);
}

function formatIssues(issues: z.core.$ZodIssue[], where: string): string[] {
  return issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    const place = [where, field && `field "${field}"`].filter(Boolean).join(', ');
    return `${place || 'top level'}: ${issue.message}`;
  });
}

/** Convenience for `serve` and status: read + validate. */
export function loadServers(path: string, options: ValidateOptions = {}): ServerConfig[] {
  return validateMcpConfig(readMcpFile(path).raw, path, options);
}
