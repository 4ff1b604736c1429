/**
 * The HTTP surface of serve (docs/protocol.md): one fetch handler, the same on Bun and Node.
 * Malformed input gets a clear error status and never disturbs other sessions.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ViewRef } from '../../catalog/view.ts';
import type { StoredToken } from '../../config/tokens.ts';
import { messagesOf } from '../../jsonrpc.ts';
import type { Logger } from '../../log.ts';
import type { ServeOptions } from '../serve-options.ts';
import { modernHandler } from '../modern/handler.ts';
import { isModern } from '../modern/wire.ts';
import { Session, type SessionDeps } from '../sessions/session.ts';
import { narrowToTags, resolveView, selectorFromQuery, type PresetSource } from '../views.ts';
import { MAX_BODY_BYTES, readBody } from './body.ts';
import { isLoopbackBind, makeHostGuard } from './guard.ts';
import { healthRoutes, type HealthSource } from './health.ts';
import type { ApiHost } from './api.ts';
import type { OAuthServer } from '../oauth/server.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { metricsRoute, type MetricsHost } from './metrics-route.ts';
import { sessionLabels } from '../sessions/labels.ts';
import { DEFAULT_LIMITS, Slots } from './limits.ts';
import { errorResponse, json, rpcError, text } from './responses.ts';
import { WebSseServerTransport } from './sse-transport.ts';
import { endStreamAtExpiry } from './stream-deadline.ts';
import type { SessionEntry, SessionTable } from '../sessions/table.ts';

const SESSION_HEADER = 'mcp-session-id';

/** Requests that may run long: if their response stream is dropped, the backend should stop too. */
const CANCELLABLE = new Set(['tools/call', 'prompts/get', 'resources/read', 'completion/complete']);

/**
 * A client that disconnects cancels its in-flight calls (docs/protocol.md): when the POST's event stream is
 * cancelled before it ends, the calls it carried are cancelled at their backends. While the stream is
 * open the session counts as busy, so the session cap never evicts a session in the middle of a call.
 */
function trackCalls(response: Response, body: unknown, entry: SessionEntry): Response {
  const ids = messagesOf(body)
    .filter((m) => m && typeof m === 'object' && CANCELLABLE.has((m as { method?: string }).method ?? '') && (m as { id?: unknown }).id !== undefined)
    .map((m) => (m as { id: string | number }).id);
  if (ids.length === 0 || !response.body || !response.headers.get('content-type')?.includes('text/event-stream')) return response;
  const reader = response.body.getReader();
  entry.inFlight = (entry.inFlight ?? 0) + 1;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    entry.inFlight = (entry.inFlight ?? 1) - 1;
  };
  // Chunks are moved as they come (push), not on demand (pull): the SDK's stream already queues them,
  // and Bun serves a stream that has chunks waiting far cheaper than one it must pull from for each.
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const pump = (): Promise<void> =>
        reader.read().then(
          ({ done, value }) => {
            if (finished) return; // cancelled meanwhile: our stream takes nothing more
            if (done) {
              finish();
              controller.close();
              return;
            }
            controller.enqueue(value);
            void pump(); // not returned: a long stream must not build a chain of pending promises
          },
          (error) => {
            if (finished) return;
            finish();
            controller.error(error);
          },
        );
      void pump();
    },
    cancel(reason) {
      finish();
      entry.session.cancelRequests(ids);
      return reader.cancel(reason);
    },
  });
  return new Response(stream, { status: response.status, headers: response.headers });
}

/** ?pagination=true|false overrides serve's default; absent means the default. */
function paginationAsked(url: URL): boolean | undefined {
  const v = url.searchParams.get('pagination');
  return v === null ? undefined : v === 'true' || v === '1';
}

/** What the HTTP surface needs of serve (server/serve.ts provides it; this file never imports serve). */
export interface AppHost extends HealthSource, MetricsHost, ApiHost {
  readonly options: HealthSource['options'] &
    Pick<ServeOptions, 'externalUrl' | 'allowOrigins' | 'enableAuth' | 'bodyTimeoutMs' | 'maxLargeBodies' | 'enableConfigReload'>;
  readonly catalog: HealthSource['catalog'] & ApiHost['catalog'];
  readonly sessions: SessionTable;
  readonly sessionDeps: SessionDeps;
  readonly presets: PresetSource;
  readonly log: Logger;
  /** serve --enable-auth oauth: the discovery documents and /oauth/* endpoints (open, behind the guard). */
  readonly oauth?: OAuthServer;
  /** The view for requests that name none. */
  defaultView(): ViewRef;
}

export function createApp(serve: AppHost): (request: Request) => Promise<Response> {
  const guard = makeHostGuard(serve.options.host, () => serve.port, serve.options.externalUrl, serve.options.allowOrigins);
  const health = healthRoutes(serve);
  const modern = modernHandler({ deps: serve.sessionDeps, authEnabled: !!serve.options.enableAuth });
  const dashboard = dashboardRoutes(serve);
  const bodyLimits = {
    limit: MAX_BODY_BYTES,
    timeoutMs: serve.options.bodyTimeoutMs ?? DEFAULT_LIMITS.bodyTimeoutMs,
    large: new Slots(serve.options.maxLargeBodies ?? DEFAULT_LIMITS.maxLargeBodies),
  };
  // A revoked or expired token ends its sessions at once, not at their next request.
  serve.authenticator?.onInvalidated((valid) => {
    const closed = serve.sessions.closeWhere((owner) => owner !== undefined && !valid(owner));
    if (closed) serve.log.info(`closed ${closed} session${closed === 1 ? '' : 's'} of a revoked or expired token`);
  });
  if (!isLoopbackBind(serve.options.host) && !serve.options.enableAuth) {
    serve.log.warn(
      `serve listens on ${serve.options.host}, beyond this machine, without --enable-auth: anyone who can reach port ${serve.port} can use every server (run tools, read files). Add --enable-auth, or bind 127.0.0.1 (docs/security.md)`,
    );
  }

  /** The view a request asks for, narrowed to the token's tags when its token has any. */
  const viewFor = (url: URL, token?: StoredToken): ViewRef => {
    const asked = resolveView(selectorFromQuery(url.searchParams), serve.presets, () => serve.defaultView());
    return token?.tags?.length ? narrowToTags(asked, token.tags) : asked;
  };

  async function parseBody(request: Request): Promise<{ body: unknown } | { response: Response }> {
    const type = request.headers.get('content-type') ?? '';
    if (!type.toLowerCase().includes('application/json')) {
      return { response: rpcError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json') };
    }
    const read = await readBody(request, bodyLimits);
    // The unread rest of the body makes the connection unusable for another request: say so.
    if ('status' in read) return { response: rpcError(read.status, -32000, read.message, { connection: 'close' }) };
    try {
      return { body: JSON.parse(read.text) };
    } catch {
      return { response: rpcError(400, -32700, 'Parse error: the body is not valid JSON') };
    }
  }

  /** A place for a new session of this token, or the 503 that says there is none. */
  const admit = (token?: StoredToken) => {
    const admission = serve.sessions.admit(token?.hash);
    if (typeof admission === 'string') return { response: rpcError(503, -32000, `Service Unavailable: ${admission}`, { 'retry-after': '5' }) };
    return { admission };
  };

  async function handleMcp(request: Request, url: URL, token?: StoredToken): Promise<Response> {
    const sessionId = request.headers.get(SESSION_HEADER);
    if (request.method !== 'POST' && request.method !== 'GET' && request.method !== 'DELETE') {
      return rpcError(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
    }
    let parsedBody: unknown;
    if (request.method === 'POST') {
      const parsed = await parseBody(request);
      if ('response' in parsed) return parsed.response;
      parsedBody = parsed.body;
    }
    // A 2026-07-28 request (per-request _meta, no session) is served statelessly (server/modern/).
    if (!sessionId && request.method === 'POST' && isModern(parsedBody, request.headers)) return modern(request, parsedBody, () => viewFor(url, token), token?.hash, url);
    if (sessionId) {
      const entry = serve.sessions.get(sessionId);
      if (!entry || entry.kind !== 'streamable-http') return rpcError(404, -32001, 'Session not found: initialize a new session');
      if (entry.session.owner !== token?.hash) return rpcError(403, -32000, 'This session belongs to another token');
      entry.session.lastActive = Date.now();
      const response = await entry.transport.handleRequest(request, { parsedBody });
      return endStreamAtExpiry(trackCalls(response, parsedBody, entry), request, token);
    }
    if (request.method !== 'POST') return rpcError(400, -32000, `Bad Request: the ${SESSION_HEADER} header is required`);
    const messages = messagesOf(parsedBody);
    if (!messages.some((m) => isInitializeRequest(m))) {
      return rpcError(400, -32000, `Bad Request: no valid session; send "initialize" first, or the ${SESSION_HEADER} header`);
    }
    // A wrong view selector throws a ViewError (400), which fetch's catch turns into the response.
    const viewRef = viewFor(url, token);
    const place = admit(token);
    if (place.response) return place.response;
    try {
      const session = new Session(viewRef, serve.sessionDeps, paginationAsked(url));
      session.labels = sessionLabels(url, 'streamable-http', token);
      // Bound to the token's hash: a new token that reuses a revoked one's name is a stranger here.
      session.owner = token?.hash;
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (id) => {
          session.id = id;
          serve.sessions.add(id, { kind: 'streamable-http', session, transport });
        },
        onsessionclosed: (id) => void serve.sessions.close(id),
        maxRequestBodySize: MAX_BODY_BYTES,
      });
      await session.connect(transport);
      const response = await transport.handleRequest(request, { parsedBody });
      if (!session.id) await session.close();
      return response;
    } finally {
      place.admission!.release();
    }
  }

  async function handleSse(url: URL, token?: StoredToken): Promise<Response> {
    const viewRef = viewFor(url, token);
    const place = admit(token);
    if (place.response) return place.response;
    try {
      const transport = new WebSseServerTransport();
      const session = new Session(viewRef, serve.sessionDeps, paginationAsked(url));
      session.labels = sessionLabels(url, 'sse', token);
      session.owner = token?.hash;
      session.id = transport.sessionId;
      serve.sessions.add(transport.sessionId, { kind: 'sse', session, transport });
      await session.connect(transport);
      return transport.response('/messages');
    } finally {
      place.admission!.release();
    }
  }

  async function handleMessages(request: Request, url: URL, token?: StoredToken): Promise<Response> {
    if (request.method !== 'POST') return rpcError(405, -32000, 'Method not allowed', { allow: 'POST' });
    const id = url.searchParams.get('sessionId') ?? '';
    const entry = serve.sessions.get(id);
    if (!entry || entry.kind !== 'sse') return rpcError(404, -32001, 'Session not found: open a new /sse stream');
    if (entry.session.owner !== token?.hash) return rpcError(403, -32000, 'This session belongs to another token');
    const parsed = await parseBody(request);
    if ('response' in parsed) return parsed.response;
    const messages = messagesOf(parsed.body) as JSONRPCMessage[];
    if (messages.some((m) => !m || typeof m !== 'object' || (m as { jsonrpc?: unknown }).jsonrpc !== '2.0')) {
      return rpcError(400, -32600, 'Invalid Request: expected JSON-RPC 2.0 messages');
    }
    entry.session.lastActive = Date.now();
    for (const m of messages) entry.transport.receive(m);
    return new Response('Accepted', { status: 202 });
  }

  return async function fetch(request: Request): Promise<Response> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return text('Bad Request', 400);
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/health/live') return health.live();
    if (path.includes('%') && !decodes(path)) return text(`Bad Request: the path ${path} has malformed percent-encoding`, 400);
    const blocked = guard(request);
    if (blocked) return text(blocked, 403);
    if (serve.oauth && (path.startsWith('/.well-known/oauth-') || path.startsWith('/oauth/'))) {
      try {
        const answered = await serve.oauth.route(request, path);
        if (answered) return answered;
      } catch (error) {
        serve.log.error(`${request.method} ${path}: ${(error as Error)?.stack ?? error}`);
        return errorResponse(error, 'text');
      }
    }
    const auth = serve.authenticator?.check(request, path) ?? {};
    if (auth.response) return auth.response;
    try {
      if (path === '/mcp') return await handleMcp(request, url, auth.token);
      if (path === '/sse' && request.method === 'GET') return endStreamAtExpiry(await handleSse(url, auth.token), request, auth.token);
      if (path === '/messages') return await handleMessages(request, url, auth.token);
      if (path === '/metrics') return metricsRoute(request, serve, auth.token);
      // Changing state needs a JSON body type, which a cross-site form or beacon cannot send.
      if (request.method === 'POST' && path.startsWith('/api/') && !(request.headers.get('content-type') ?? '').toLowerCase().includes('application/json')) {
        return json({ error: 'Unsupported Media Type: POST /api/* requires "Content-Type: application/json"' }, 415);
      }
      const routed = (await health.route(request, path, auth.token)) ?? (await dashboard(request, path, auth.token));
      if (routed) return routed;
      return text(`Not found: ${path}. MCP clients connect to /mcp`, 404);
    } catch (error) {
      const response = errorResponse(error, path === '/mcp' || path === '/messages' ? 'json-rpc' : 'text');
      if (response.status >= 500) serve.log.error(`${request.method} ${path}: ${(error as Error)?.stack ?? error}`);
      return response;
    }
  };
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
