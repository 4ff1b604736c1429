/**
 * Find the running serve (SPEC §6.1): --url > .1mcprc url > server.pid (pid alive and identity
 * answering) > probing 127.0.0.1:3050-3052. Works from HOME alone: Codex strips ONE_MCP_* variables.
 */
import { readPidFile } from '../config/pidfile.ts';
import { isProcessAlive } from '../runtime/process.ts';

export const PROBE_PORTS = [3050, 3051, 3052];

export interface Discovered {
  /** The /mcp endpoint, without a view query. */
  url: string;
  source: 'flag' | '.1mcprc' | 'server.pid' | 'probe';
}

export function normaliseMcpUrl(url: string): string {
  const u = new URL(url);
  if (!/\/mcp\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, '')}/mcp`;
  return u.toString();
}

/** Whether a 1mcp identity endpoint answers at the server behind `mcpUrl`. */
export async function identityAnswers(mcpUrl: string, timeoutMs: number): Promise<boolean> {
  const u = new URL(mcpUrl);
  u.pathname = '/.well-known/1mcp/runtime-identity';
  u.search = '';
  try {
    const response = await fetch(u, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return false;
    const body = (await response.json()) as { name?: string };
    return body?.name === '1mcp' || typeof body === 'object';
  } catch {
    return false;
  }
}

export interface DiscoveryInput {
  flagUrl?: string;
  rcUrl?: string;
  pidFile: string;
  timeoutMs?: number;
}

export interface DiscoveryResult {
  found?: Discovered;
  /** Where we looked, for the error message. */
  tried: string[];
}

export async function discoverServe(input: DiscoveryInput): Promise<DiscoveryResult> {
  // An explicit URL is trusted as given: no probing elsewhere if it is down.
  if (input.flagUrl) return { found: { url: normaliseMcpUrl(input.flagUrl), source: 'flag' }, tried: [`--url ${input.flagUrl}`] };
  if (input.rcUrl) return { found: { url: normaliseMcpUrl(input.rcUrl), source: '.1mcprc' }, tried: [`.1mcprc url ${input.rcUrl}`] };
  const timeout = input.timeoutMs ?? 500;
  const tried: string[] = [];
  const pid = readPidFile(input.pidFile);
  if (pid && isProcessAlive(pid.pid)) {
    const url = normaliseMcpUrl(pid.url);
    if (await identityAnswers(url, timeout)) return { found: { url, source: 'server.pid' }, tried };
    tried.push(`${input.pidFile} (pid ${pid.pid} does not answer at ${url})`);
  } else tried.push(pid ? `${input.pidFile} (stale: pid ${pid.pid} is not running)` : `${input.pidFile} (not found)`);
  const probes = await Promise.all(
    PROBE_PORTS.map(async (port) => {
      const url = `http://127.0.0.1:${port}/mcp`;
      return (await identityAnswers(url, timeout)) ? url : undefined;
    }),
  );
  tried.push(`ports ${PROBE_PORTS.join(', ')} on 127.0.0.1`);
  const url = probes.find(Boolean);
  return url ? { found: { url, source: 'probe' }, tried } : { tried };
}
