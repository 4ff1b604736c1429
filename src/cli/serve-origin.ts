/** The address of this config dir's serve, for clients that connect by URL (`--http`). */
import { discoverServe } from '../proxy/discovery.ts';
import { OneMcpError } from '../errors.ts';
import { color, note } from './output.ts';

/**
 * The serve a client should talk to directly. Only a serve that proved it is this config dir's (or none
 * at all: then the default address) — never something that merely answers on a probed port, since
 * the client would send it every call and its bearer token.
 */
export async function verifiedServeOrigin(pidFile: string, configDir: string): Promise<string> {
  const result = await discoverServe({ pidFile, configDir, timeoutMs: 500 });
  if (result.found?.verified) return new URL(result.found.url).origin;
  if (result.found) {
    throw new OneMcpError(
      `${result.found.url} answers like 1mcp but did not prove it is the serve of ${configDir}; not writing it into a client's config. Start your own serve with this config dir and run this again, or use the stdio proxy (leave out --http)`,
    );
  }
  const fallback = 'http://127.0.0.1:3050';
  const occupied = await fetch(`${fallback}/health`, { signal: AbortSignal.timeout(500), redirect: 'manual' }).then(
    (r) => (void r.body?.cancel().catch(() => {}), true),
    () => false,
  );
  if (occupied) {
    throw new OneMcpError(`no serve of ${configDir} is running, and something else answers at ${fallback}; not writing that address into a client's config. Start "1mcp serve" and run this again`);
  }
  note(color.dim(`No running serve found; writing the default address ${fallback}/mcp.`));
  return fallback;
}
