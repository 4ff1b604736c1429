/** Talking to a running serve from the CLI: find it (same discovery as the proxy) and call its JSON API. */
import type { ConfigPaths } from '../config/paths.ts';
import { OneMcpError } from '../errors.ts';
import { discoverServe } from '../proxy/discovery.ts';
import type { OptionSpec } from './program.ts';

/** For every command that talks to serve; ONE_MCP_TOKEN is its environment twin. */
export const TOKEN_OPTION: OptionSpec = { flags: '--token <token>', description: 'Bearer token when serve runs with --enable-auth (default: $ONE_MCP_TOKEN)' };

export const TOKEN_HINT = 'pass --token or set ONE_MCP_TOKEN (create one with "1mcp auth token create")';

/** A running serve and what may be sent to it. */
export interface ServeTarget {
  origin: string;
  /** The token, when there is one and discovery allows sending it there. */
  token?: string;
  /** Why a token we have is not sent (discovery could not prove this is the user's serve). */
  withheld?: string;
}

export async function findServeTarget(paths: ConfigPaths, token?: string): Promise<ServeTarget | undefined> {
  const result = await discoverServe({ pidFile: paths.pidFile, timeoutMs: 300 });
  const found = result.found as { url: string; verified?: boolean; tokenAllowed?: boolean; tokenWithheld?: string } | undefined;
  // A serve found by probing ports that cannot prove it belongs to this config dir runs someone
  // else's mcp.json: its status, tools and URLs would answer a different question.
  if (!found || found.verified === false) return undefined;
  const origin = new URL(found.url).origin;
  if (!token) return { origin };
  if (found.tokenAllowed === false) return { origin, withheld: found.tokenWithheld ?? 'discovery could not verify this serve' };
  return { origin, token };
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
