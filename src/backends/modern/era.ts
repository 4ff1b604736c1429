/**
 * Choosing a backend's era while connecting (docs/protocol.md, "Modern backends"). With `"protocol":
 * "auto"` (the default) a stdio or Streamable HTTP backend is probed with `server/discover` — over stdio
 * on the same process, so a legacy server then gets `initialize` right behind it; "legacy" skips the
 * probe, "modern" insists on it. Legacy SSE servers are never probed.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerConfig } from '../../config/mcp-schema.ts';
import { serverFetch } from '../auth/oauth-fetch.ts';
import { fetchWithTraceHeader, traceHeaders } from '../trace-header.ts';
import { ModernClient } from './client.ts';
import { ModernHttpTransport } from './http-transport.ts';
import { probeHttp, probeStdio, type ProbeOutcome } from './probe.ts';

/**
 * How long an automatic probe waits. A legacy server answers it at once (method not found); one that
 * ignores unknown requests costs this much per start — then set "protocol": "legacy".
 */
export const PROBE_TIMEOUT_MS = 5000;

export type Protocol = 'auto' | 'modern' | 'legacy';

export interface EraChoice {
  /** Set when the backend speaks the modern era. */
  modern?: ModernClient;
  /** The transport the legacy client connects with (a fresh one when the probe ended the process). */
  transport: Transport;
}

const protocolOf = (config: ServerConfig): Protocol => config.protocol ?? 'auto';

export async function chooseEra(config: ServerConfig, kind: 'stdio' | 'http' | 'sse', transport: Transport, restart: () => Transport): Promise<EraChoice> {
  const protocol = protocolOf(config);
  if (kind === 'sse' || protocol === 'legacy') return { transport };
  // Half the connection time at most: initialize must still fit in connectionTimeout after a silent probe.
  const timeout = protocol === 'modern' ? config.connectionTimeout : Math.min(PROBE_TIMEOUT_MS, Math.floor(config.connectionTimeout / 2));
  let outcome: ProbeOutcome;
  if (kind === 'stdio') {
    await transport.start();
    const probed = await probeStdio(transport, timeout);
    if (probed.era === 'closed') {
      // Some servers exit on any request before initialize: run them again, legacy from the start.
      if (protocol === 'modern') throw new Error('the server exited when asked server/discover ("protocol": "modern")');
      return { transport: restart() };
    }
    outcome = probed;
    if (outcome.era === 'modern') return { modern: new ModernClient(transport, outcome.discovered), transport };
  } else {
    const url = new URL(config.url!);
    // With the server's OAuth login (Bearer token, refresh, awaiting-auth) when it has one.
    const fetchFn = serverFetch(config, traceHeaders.enabled ? fetchWithTraceHeader() : undefined);
    outcome = await probeHttp(url, config.headers, timeout, fetchFn);
    if (outcome.era === 'modern') {
      await transport.close().catch(() => {});
      const modern = new ModernHttpTransport(url, config.headers, fetchFn);
      return { modern: new ModernClient(modern, outcome.discovered), transport: modern };
    }
  }
  if (protocol === 'modern') throw new Error(`it does not speak 2026-07-28 ("protocol": "modern"): ${outcome.why}`);
  return { transport };
}
