/** Talking to a running serve from the CLI: find it (same discovery as the proxy) and call its JSON API. */
import type { ConfigPaths } from '../config/paths.ts';
import { OneMcpError } from '../errors.ts';
import { discoverServe } from '../proxy/discovery.ts';

export async function findServe(paths: ConfigPaths): Promise<string | undefined> {
  const result = await discoverServe({ pidFile: paths.pidFile, timeoutMs: 300 });
  return result.found ? new URL(result.found.url).origin : undefined;
}

export async function serveApi<T>(origin: string, path: string, init: RequestInit = {}): Promise<T> {
  const token = process.env.ONE_MCP_TOKEN;
  const response = await fetch(`${origin}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new OneMcpError(`serve at ${origin} answered ${response.status}: ${body.error ?? 'error'}`);
  return body;
}

export const START_HINT = 'start it with "1mcp serve" (it keeps running; use a second terminal or a service manager)';
