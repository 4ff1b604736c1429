/**
 * Is a serve already running on this config dir? Its server.pid names a living process, and that
 * process answers the runtime identity with the same pid — a stale file or a recycled pid does not count.
 */
import { readPidFile, type PidFile } from '../config/pidfile.ts';
import { isProcessAlive } from '../runtime/process.ts';

export async function runningServe(pidFile: string, timeoutMs = 1500): Promise<PidFile | undefined> {
  const info = readPidFile(pidFile);
  if (!info || info.pid === process.pid || !isProcessAlive(info.pid)) return undefined;
  for (const base of candidates(info)) {
    try {
      const res = await fetch(new URL('/.well-known/1mcp/runtime-identity', base), { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) continue;
      const id = (await res.json()) as { name?: unknown; pid?: unknown } | null;
      if (id?.name === '1mcp' && id.pid === info.pid) return info;
    } catch {}
  }
  return undefined;
}

/** Where to ask: the address it is bound to first (its advertised URL may be a reverse proxy's). */
function candidates(info: PidFile): string[] {
  const out: string[] = [];
  if (typeof info.port === 'number' && typeof info.host === 'string') {
    const host = info.host === '0.0.0.0' || info.host === '' ? '127.0.0.1' : info.host === '::' ? '[::1]' : info.host.includes(':') ? `[${info.host}]` : info.host;
    out.push(`http://${host}:${info.port}/`);
  }
  out.push(info.url);
  return out;
}
