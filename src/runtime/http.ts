/**
 * Serve a web-standard fetch handler on Bun (Bun.serve) or Node (node:http through @hono/node-server).
 * Everything above this file speaks Request → Response only.
 */
import { isBun } from './env.ts';

export type FetchHandler = (request: Request, info: { remoteAddress?: string }) => Response | Promise<Response>;

export interface HttpServerHandle {
  port: number;
  host: string;
  /** Stop accepting; with `force`, also drop open connections (SSE streams). */
  close(force?: boolean): Promise<void>;
}

export async function serveHttp(options: { port: number; host: string; fetch: FetchHandler }): Promise<HttpServerHandle> {
  return isBun ? serveWithBun(options) : serveWithNode(options);
}

async function serveWithBun(options: { port: number; host: string; fetch: FetchHandler }): Promise<HttpServerHandle> {
  const Bun = (globalThis as any).Bun;
  const server = Bun.serve({
    port: options.port,
    hostname: options.host,
    // Bun closes requests silent for 10 s by default, which kills SSE streams and long tool calls.
    idleTimeout: 0,
    // Bodies over 16 MiB are refused by our own guard with a clear 413; let Bun accept a little more.
    maxRequestBodySize: 64 * 1024 * 1024,
    fetch(request: Request, srv: any) {
      // Looked up only when asked: requestIP costs a native call, and most requests never need it.
      return options.fetch(request, {
        get remoteAddress() {
          return srv.requestIP?.(request)?.address;
        },
      });
    },
    error(error: Error) {
      return new Response(JSON.stringify({ error: String(error?.message ?? error) }), { status: 500 });
    },
  });
  return {
    port: server.port,
    host: options.host,
    async close(force = false) {
      await server.stop(force);
    },
  };
}

async function serveWithNode(options: { port: number; host: string; fetch: FetchHandler }): Promise<HttpServerHandle> {
  const { createServer } = await import('node:http');
  const { getRequestListener } = await import('@hono/node-server');
  const listener = getRequestListener((request: Request, env: any) =>
    options.fetch(request, { remoteAddress: env?.incoming?.socket?.remoteAddress }),
  );
  const server = createServer(listener);
  // Long tool calls and SSE streams must not be cut by Node's defaults.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    host: options.host,
    close(force = false) {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (force) server.closeAllConnections();
        else server.closeIdleConnections();
      });
    },
  };
}
