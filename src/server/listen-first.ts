/**
 * Listen before anything heavy loads (docs/protocol.md: HTTP ready in milliseconds). Until the rest of serve
 * is wired, /health answers from the config file alone (every enabled server "starting"), and other
 * requests wait for it. This file must not import the MCP SDK or zod: it is on the clock.
 */
import { parseJsonText, readTextIfExists } from '../config/json-text.ts';
import { serveHttp, type FetchHandler, type HttpServerHandle } from '../runtime/http.ts';
import { VERSION } from '../version.ts';
import { makeHostGuard } from './http/guard.ts';

export interface EarlyListener {
  http: HttpServerHandle;
  /** Hand over to the real app; requests that waited are answered by it. */
  ready(app: FetchHandler): void;
  /** Startup failed: refuse whatever waited. */
  fail(): void;
}

/** Enabled servers in mcp.json, counted without validating (serve validates it once loaded). */
function countEnabled(mcpJson: string): number {
  try {
    const text = readTextIfExists(mcpJson);
    const raw = text ? (parseJsonText(text, { lenient: true }) as { mcpServers?: Record<string, { disabled?: boolean }> }) : {};
    return Object.values(raw.mcpServers ?? {}).filter((s) => s && s.disabled !== true).length;
  } catch {
    return 0;
  }
}

export async function listenFirst(options: { port: number; host: string; externalUrl?: string; allowOrigins?: string[]; mcpJson: string }): Promise<EarlyListener> {
  const startedAt = Date.now();
  const starting = countEnabled(options.mcpJson);
  let app: FetchHandler | undefined;
  let settle!: (app: FetchHandler | undefined) => void;
  const appReady = new Promise<FetchHandler | undefined>((resolve) => (settle = resolve));
  let port = options.port;
  const guard = makeHostGuard(options.host, () => port, options.externalUrl, options.allowOrigins);
  const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  const early: FetchHandler = async (request, info) => {
    if (app) return app(request, info);
    const path = new URL(request.url).pathname.replace(/\/+$/, '');
    if (path === '/health/live') return json({ status: 'alive' }, 200);
    if ((path === '/health' || path === '/health/ready') && request.method === 'GET' && !guard(request)) {
      if (path === '/health/ready') return json({ ready: starting === 0 }, starting === 0 ? 200 : 503);
      const status = starting === 0 ? 'healthy' : 'degraded';
      return json({ status, version: VERSION, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), servers: { total: starting, connected: 0, failed: 0, starting } }, 200);
    }
    const ready = await appReady;
    return ready ? ready(request, info) : json({ error: 'serve is shutting down' }, 503);
  };
  // Once the app is ready the listener calls it directly: no extra async hop per request.
  const http = await serveHttp({ port: options.port, host: options.host, fetch: (request, info) => (app ? app(request, info) : early(request, info)) });
  port = http.port;
  return {
    http,
    ready(handler) {
      app = handler;
      settle(handler);
    },
    fail() {
      settle(undefined);
    },
  };
}
