/** Talking to a running serve from the CLI: find it (same discovery as the proxy) and call its JSON API. */
import type { ConfigPaths } from '../config/paths.ts';
import type { ProjectRc } from '../config/rc.ts';
import { OneMcpError } from '../errors.ts';
import { discoverServe } from '../proxy/discovery.ts';
import type { OptionSpec } from './program.ts';

/** For every command that talks to serve; ONE_MCP_TOKEN is its environment twin. */
export const TOKEN_OPTION: OptionSpec = { flags: '--token <token>', description: 'Bearer token when serve runs with --enable-auth (default: $ONE_MCP_TOKEN)' };

export const TOKEN_HINT = 'pass --token or set ONE_MCP_TOKEN (create one with "1mcp auth token create")';

/** A running serve and what may be sent to it. */
export interface ServeTarget {
  origin: string;
  /** The /mcp endpoint found (under a reverse proxy it may not sit at the origin's root). */
  mcpUrl: string;
  /** The token, when there is one and discovery allows sending it there. */
  token?: string;
  /** Why a token we have is not sent (discovery could not prove this is the user's serve). */
  withheld?: string;
}

/** Where to look besides the config dir, as the proxy does: --url, then a project's .1mcprc `url`. */
export interface ServeLookup {
  url?: string;
  rc?: ProjectRc;
}

/** A serve to talk to was named (or found) but cannot be used; exit code 3 ("serve not reachable"). */
export class ServeUnreachableError extends OneMcpError {
  constructor(message: string) {
    super(message, { exitCode: 3 });
  }
}

export async function findServeTarget(paths: ConfigPaths, token?: string, lookup: ServeLookup = {}): Promise<ServeTarget | undefined> {
  const result = await discoverServe({ flagUrl: lookup.url, rcUrl: lookup.rc?.url, rcPath: lookup.rc?.path, pidFile: paths.pidFile, configDir: paths.dir, timeoutMs: 300 });
  if (result.refused) throw new ServeUnreachableError(result.refused);
  const found = result.found as { url: string; verified?: boolean; tokenAllowed?: boolean; tokenWithheld?: string } | undefined;
  // A serve found by probing ports that cannot prove it belongs to this config dir runs someone
  // else's mcp.json: its status, tools and URLs would answer a different question.
  if (!found || found.verified === false) return undefined;
  const origin = new URL(found.url).origin;
  const mcpUrl = found.url;
  if (!token) return { origin, mcpUrl };
  if (found.tokenAllowed === false) return { origin, mcpUrl, withheld: found.tokenWithheld ?? 'discovery could not verify this serve' };
  return { origin, mcpUrl, token };
}

export function authHeaders(target: ServeTarget): Record<string, string> {
  return target.token ? { authorization: `Bearer ${target.token}` } : {};
}

/** What to tell the user when serve answers 401/403. */
export function authProblem(target: ServeTarget, status: number, detail?: string): string | undefined {
  const where = `serve at ${target.origin}`;
  if (status === 401) {
    if (target.withheld) return `${where} requires a token, and yours was not sent: ${target.withheld}`;
    if (!target.token) return `${where} requires a token: ${TOKEN_HINT}`;
    return `${where} refused the token${detail ? ` (${detail})` : ''}; check --token / ONE_MCP_TOKEN ("1mcp auth token list" shows the tokens that exist)`;
  }
  if (status === 403) return `${where} refused: ${detail ?? 'forbidden'} (a token limited by tags sees and manages only its servers)`;
  return undefined;
}

export async function serveApi<T>(target: ServeTarget, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${target.origin}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), ...authHeaders(target) },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string | { message?: string } };
  if (!response.ok) {
    const detail = typeof body.error === 'string' ? body.error : body.error?.message;
    throw new ServeApiError(authProblem(target, response.status, detail) ?? `serve at ${target.origin} answered ${response.status}: ${detail ?? 'error'}`, response.status);
  }
  return body;
}

export class ServeApiError extends OneMcpError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const START_HINT = 'start it with "1mcp serve" (it keeps running; use a second terminal or a service manager)';
