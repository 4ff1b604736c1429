/**
 * Serving a 2026-07-28 ("modern") request on /mcp (docs/protocol.md, "Two eras on one endpoint").
 * Stateless: each request is answered on its own — no handshake, no session. What a request sees is
 * chosen by the URL (view selector) and the token only, so lists are the same for the same URL and
 * credentials. Lists come from the catalog (as for legacy sessions); calls go to the owning backend
 * through the same forwarding. The wire is plain JSON over HTTP, written here without an SDK server.
 */
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Route } from '../../catalog/catalog.ts';
import type { View, ViewRef } from '../../catalog/view.ts';
import { notFound, RpcError } from '../errors.ts';
import { buildInstructions } from '../instructions.ts';
import { paginate } from '../pagination.ts';
import { DEFAULT_LIMITS } from '../http/limits.ts';
import { callMetaTool, isMetaTool, searchModeInstructions, type MetaToolHost } from '../sessions/search-mode.ts';
import type { SessionDeps } from '../sessions/session.ts';
import { sessionLabels, type SessionLabels } from '../sessions/labels.ts';
import { forwardModern } from './call.ts';
import { speaksModern } from './backend-input.ts';
import { openListen, type ListenFilter, type TaskFeed } from './listen.ts';
import { declaresTasks, missingTasksExtension, ModernTasks, TASKS_EXTENSION, type TaskCall } from './tasks.ts';
import { runsToolTasks } from '../sessions/tasks.ts';
import { complete, errorResponse, resultResponse, streamingResponse, type Outcome } from './respond.ts';
import { checkParamHeaders, checkRequest, HEADER_MISMATCH, INVALID_PARAMS, METHOD_NOT_FOUND, REMOVED_METHODS, SUPPORTED_VERSIONS, type ModernRequest, type WireError } from './wire.ts';

/**
 * How long a client may treat a list (or server/discover) as fresh. Lists change when a backend's
 * change or a config reload; a listening client hears of it at once, the others within this.
 */
export const LIST_TTL_MS = 60_000;

const INTERNAL_ERROR = -32603;

/** One request to a backend on behalf of the modern request being answered. */
type BackendCall = (route: Route, method: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** The legacy code for "resource not found"; the modern era says invalid params (-32602) instead. */
const LEGACY_RESOURCE_NOT_FOUND = -32002;

export interface ModernHost {
  readonly deps: SessionDeps;
  /** Tokens are required (serve --enable-auth): lists then depend on who asks (token scope). */
  readonly authEnabled: boolean;
}

type Handler = (request: ModernRequest, ctx: Context) => Promise<Response>;

interface Context {
  view: View;
  viewRef: ViewRef;
  owner?: string;
  paginate: boolean;
  signal: AbortSignal;
  headers: Headers;
  /** ?app= and the era, for metrics and the audit log. */
  labels: SessionLabels;
}

/** Lists in a stable order (by name or URI), whatever order the backends answered in; cached per list. */
const sortedCache = new WeakMap<object, unknown[]>();
function sorted<T>(list: T[], keyOf: (t: T) => string): T[] {
  let out = sortedCache.get(list) as T[] | undefined;
  if (!out) {
    out = [...list].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    sortedCache.set(list, out);
  }
  return out;
}

export function modernHandler(host: ModernHost): (request: Request, body: unknown, viewRef: () => ViewRef, owner: string | undefined, url: URL) => Promise<Response> {
  const { catalog, router } = host.deps;
  const scope = () => (host.authEnabled ? 'private' : 'public');
  const cacheable = (result: Record<string, unknown>, ttlMs = LIST_TTL_MS, cacheScope = scope()) => complete(result, { ttlMs, cacheScope });

  const list = <T>(items: (view: View) => T[], keyOf: (t: T) => string, field: string): Handler => async (req, ctx) => {
    await host.deps.waitForStartup();
    const cursor = typeof req.params.cursor === 'string' ? req.params.cursor : undefined;
    const { page, nextCursor } = paginate(sorted(items(ctx.view), keyOf), keyOf, cursor, ctx.paginate);
    return resultResponse(req.id, cacheable({ [field]: page, ...(nextCursor ? { nextCursor } : {}) }));
  };

  /** Find the route; during startup a name may belong to a backend that is still connecting. */
  const resolve = async (find: () => Route | undefined, message: string): Promise<Route> => {
    let route = find();
    if (!route) {
      await host.deps.waitForStartup();
      route = find();
    }
    if (!route) throw notFound(message);
    return route;
  };

  /** Who sends a backend request on behalf of this modern request: its capabilities, token and observer. */
  const callerOf = (req: ModernRequest, ctx: Context) => ({
    clientCapabilities: req.clientCapabilities,
    owner: ctx.owner,
    observe: host.deps.observer && { observer: host.deps.observer, caller: { id: '', labels: ctx.labels, view: ctx.view } },
  });

  /**
   * Run `work`, whose backend requests go through `call`; the answer is JSON, or an event stream once
   * progress flows. A dropped response stream (or request) cancels the backend requests.
   */
  const stream = (req: ModernRequest, ctx: Context, work: (call: BackendCall) => Promise<Record<string, unknown>>, shape: (r: Record<string, unknown>) => Record<string, unknown>, notFoundData?: Record<string, unknown>) => {
    const abort = new AbortController();
    const onAbort = () => abort.abort(new Error('the client went away'));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const progressToken = (req.meta.progressToken as string | number | undefined) ?? undefined;
    return streamingResponse(
      req.id,
      async (notify): Promise<Outcome> => {
        const call: BackendCall = (route, method, params) =>
          forwardModern(router, {
            ...callerOf(req, ctx),
            route,
            method,
            params,
            viewKey: ctx.view.key,
            progressToken,
            onprogress: (p) => notify({ jsonrpc: '2.0', method: 'notifications/progress', params: p }),
            signal: abort.signal,
          });
        try {
          return { result: shape(await work(call)) };
        } catch (error) {
          return { error: wireErrorOf(req.id, error, notFoundData) };
        } finally {
          ctx.signal.removeEventListener('abort', onAbort);
        }
      },
      abort,
    );
  };
  const forward = (req: ModernRequest, ctx: Context, route: Route, method: string, params: Record<string, unknown>, shape: (r: Record<string, unknown>) => Record<string, unknown>, notFoundData?: Record<string, unknown>) =>
    stream(req, ctx, (call) => call(route, method, params), shape, notFoundData);

  /** Tasks of the tasks extension (tasks.ts); their backend requests are plain calls of this request. */
  const tasks = new ModernTasks(router);
  const taskCall = (req: ModernRequest, ctx: Context): TaskCall => (route, method, params) =>
    forwardModern(router, { ...callerOf(req, ctx), route, method, params, onprogress: () => {}, signal: ctx.signal });
  const needTasks = (req: ModernRequest) => {
    if (!declaresTasks(req.clientCapabilities)) throw missingTasksExtension(req.method);
  };

  const unknownTool = (name: string) => `unknown tool "${name}"; it is not in this view, disabled, or its server is gone (list the tools again)`;
  /** Search mode's meta-tools (search-mode.ts), over this request's view; their inner call is a modern call. */
  const metaHost = (ctx: Context, call: BackendCall): MetaToolHost => ({
    catalog,
    view: () => ctx.view,
    waitForStartup: host.deps.waitForStartup,
    resolveTool: (name) => resolve(() => catalog.tool(name, ctx.view), unknownTool(name)),
    // The meta-tool's inner call runs synchronously (a legacy "task" hint is ignored, as the extension says).
    callTool: (route, { task: _hint, ...params }) => call(route, 'tools/call', params),
  });

  /** Open subscriptions/listen streams, by token (its hash; "" without auth). */
  const listening = new Map<string, number>();
  let listeningTotal = 0;

  const handlers: Record<string, Handler> = {
    'server/discover': async (req, ctx) => {
      await host.deps.waitForStartup();
      const subscribe = host.deps.subscribeSupported();
      const built = buildInstructions(catalog.backendsIn(ctx.view), host.deps.instructionsTemplate);
      const instructions = catalog.searchMode(ctx.view) ? `${built}\n\n${searchModeInstructions(catalog.tools(ctx.view).length)}` : built;
      return resultResponse(
        req.id,
        cacheable({
          supportedVersions: SUPPORTED_VERSIONS,
          capabilities: {
            tools: { listChanged: true },
            prompts: { listChanged: true },
            resources: { listChanged: true, ...(subscribe ? { subscribe: true } : {}) },
            completions: {},
            ...(catalog.backendsIn(ctx.view).some(runsToolTasks) ? { extensions: { [TASKS_EXTENSION]: {} } } : {}),
          },
          ...(instructions ? { instructions } : {}),
        }),
      );
    },
    // Every tool of the view, or in search mode its pins and the meta-tools.
    'tools/list': list<Tool>((v) => catalog.listedTools(v), (t) => t.name, 'tools'),
    'prompts/list': list<Prompt>((v) => catalog.prompts(v), (p) => p.name, 'prompts'),
    'resources/list': list<Resource>((v) => catalog.resources(v), (r) => r.uri, 'resources'),
    'resources/templates/list': list<ResourceTemplate>((v) => catalog.resourceTemplates(v), (t) => t.uriTemplate, 'resourceTemplates'),
    'tools/call': async (req, ctx) => {
      const name = String(req.params.name);
      if (isMetaTool(name) && catalog.metaToolsEnabled(ctx.view)) {
        // A retry's answers (input_required, input-required.ts) belong to the call 1mcp_call_tool makes.
        const { inputResponses, requestState } = req.params;
        const round = { ...(inputResponses !== undefined ? { inputResponses } : {}), ...(requestState !== undefined ? { requestState } : {}) };
        return stream(req, ctx, (call) => callMetaTool(metaHost(ctx, (route, method, params) => call(route, method, { ...params, ...round })), req.params as never, undefined as never), (r) => complete(r));
      }
      const route = await resolve(() => catalog.tool(name, ctx.view), unknownTool(name));
      const mismatch = checkParamHeaders(catalog.toolDefinition(name, ctx.view)?.inputSchema, req.params.arguments, ctx.headers);
      if (mismatch) return errorResponse({ status: 400, id: req.id, code: HEADER_MISMATCH, message: `Header mismatch: ${mismatch}` });
      // The server decides whether a call becomes a task (the tasks extension); a client's legacy "task" hint is ignored.
      const { task: _hint, ...params } = req.params;
      // A 2026-07-28 backend with the extension decides per call (its tools need not say): offer it the task.
      const support = runsToolTasks(route.backend) ? (catalog.toolDefinition(name, ctx.view)?.execution?.taskSupport ?? (speaksModern(route.backend) ? 'optional' : undefined)) : undefined;
      if (support === 'required' || support === 'optional') {
        if (declaresTasks(req.clientCapabilities)) {
          const asTask = (r: Record<string, unknown>) => {
            const task = tasks.register(ctx.owner, ctx.view.key, route, r, req.clientCapabilities);
            return task ? { ...complete(task), resultType: 'task' } : complete(r);
          };
          return forward(req, ctx, route, 'tools/call', ModernTasks.asTask({ ...params, name: route.original }), asTask);
        }
        if (support === 'required') throw missingTasksExtension(`tool "${name}" runs only as a task, so tools/call`);
      }
      return forward(req, ctx, route, 'tools/call', { ...params, name: route.original }, (r) => complete(r));
    },
    'tasks/get': async (req, ctx) => {
      needTasks(req);
      return resultResponse(req.id, complete(await tasks.get(ctx.owner, ctx.view.key, req.params.taskId, taskCall(req, ctx))));
    },
    'tasks/update': async (req, ctx) => {
      needTasks(req);
      return resultResponse(req.id, complete(tasks.update(ctx.owner, ctx.view.key, req.params.taskId, req.params.inputResponses)));
    },
    'tasks/cancel': async (req, ctx) => {
      needTasks(req);
      return resultResponse(req.id, complete(await tasks.cancel(ctx.owner, ctx.view.key, req.params.taskId, taskCall(req, ctx))));
    },
    'prompts/get': async (req, ctx) => {
      const name = String(req.params.name);
      const route = await resolve(() => catalog.prompt(name, ctx.view), `unknown prompt "${name}"`);
      return forward(req, ctx, route, 'prompts/get', { ...req.params, name: route.original }, (r) => complete(r));
    },
    'resources/read': async (req, ctx) => {
      const uri = String(req.params.uri);
      // Not found names the URI in the error's data, as the revision asks.
      const route = await resolve(() => catalog.resource(uri, ctx.view), `unknown resource "${uri}"`).catch((error: RpcError) => {
        throw new RpcError(error.code, error.message, { uri });
      });
      // A resource's content may differ per caller and change at any time: never shared, never fresh.
      return forward(req, ctx, route, 'resources/read', { ...req.params, uri: route.original }, (r) => cacheable(r, 0, 'private'), { uri });
    },
    'completion/complete': async (req, ctx) => {
      const ref = (req.params.ref ?? {}) as { type?: string; name?: string; uri?: string };
      const route =
        ref.type === 'ref/prompt'
          ? await resolve(() => catalog.prompt(ref.name ?? '', ctx.view), `unknown prompt "${ref.name}"`)
          : await resolve(() => catalog.resource(ref.uri ?? '', ctx.view), `unknown resource "${ref.uri}"`);
      if (!route.backend.capabilities.completions) return resultResponse(req.id, complete({ completion: { values: [], hasMore: false } }));
      const fixedRef = ref.type === 'ref/prompt' ? { ...ref, name: route.original } : { ...ref, uri: route.original.includes('{') ? ref.uri : route.original };
      return forward(req, ctx, route, 'completion/complete', { ...req.params, ref: fixedRef }, (r) => complete(r));
    },
    'subscriptions/listen': async (req, ctx) => {
      // Open streams are bounded like sessions: in total and per token.
      const key = ctx.owner ?? '';
      const mine = listening.get(key) ?? 0;
      if (listeningTotal >= DEFAULT_LIMITS.maxSessions || mine >= DEFAULT_LIMITS.maxSessionsPerToken) {
        const which = listeningTotal >= DEFAULT_LIMITS.maxSessions ? `${DEFAULT_LIMITS.maxSessions} in total` : `${DEFAULT_LIMITS.maxSessionsPerToken} per token`;
        return errorResponse({ status: 503, id: req.id, code: INTERNAL_ERROR, message: `Service Unavailable: too many open subscriptions/listen streams (at most ${which}); close one and retry` });
      }
      listeningTotal++;
      listening.set(key, mine + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        listeningTotal--;
        const left = (listening.get(key) ?? 1) - 1;
        if (left > 0) listening.set(key, left);
        else listening.delete(key);
      };
      try {
        await host.deps.waitForStartup();
        const asked = (req.params.notifications ?? {}) as ListenFilter;
        // Task notifications (the tasks extension): only for a client that declared it, only its own tasks.
        let taskFeed: TaskFeed | undefined;
        if (asked.taskIds !== undefined) {
          needTasks(req);
          if (!Array.isArray(asked.taskIds)) throw new RpcError(INVALID_PARAMS, 'Invalid params: "notifications.taskIds" must be an array of task ids');
          const taskIds = asked.taskIds;
          taskFeed = (send) => tasks.listen(ctx.owner, ctx.view.key, taskIds, send);
        }
        return await openListen({ catalog, router, subscribeSupported: host.deps.subscribeSupported }, ctx.viewRef, req.id, asked, ctx.owner, ctx.signal, release, taskFeed);
      } catch (error) {
        release();
        throw error;
      }
    },
  };

  return async (request, body, viewRefOf, owner, url) => {
    const checked = checkRequest(body, request.headers);
    if ('error' in checked) return errorResponse(checked.error);
    // The modern era defines no client notification over HTTP (closing a stream cancels): accepted, ignored.
    if ('notification' in checked) return new Response(null, { status: 202 });
    const req = checked.request;
    const handler = Object.hasOwn(handlers, req.method) ? handlers[req.method] : undefined;
    if (!handler) {
      const why = REMOVED_METHODS.has(req.method) ? `"${req.method}" is not part of protocol ${req.protocolVersion}` : `unknown method "${req.method}"`;
      return errorResponse({ status: 404, id: req.id, code: METHOD_NOT_FOUND, message: `Method not found: ${why}` });
    }
    // A wrong view selector throws a ViewError (400), which the HTTP edge turns into the response.
    const viewRef = viewRefOf();
    const pagination = url.searchParams.get('pagination');
    const ctx: Context = {
      view: viewRef.current(),
      viewRef,
      owner,
      paginate: pagination === null ? host.deps.pagination : pagination === 'true' || pagination === '1',
      signal: request.signal,
      headers: request.headers,
      labels: sessionLabels(url, 'streamable-http', undefined, 'modern'),
    };
    try {
      return await handler(req, ctx);
    } catch (error) {
      if (error instanceof RpcError) return errorResponse(wireErrorOf(req.id, error));
      throw error;
    }
  };
}

/** A JSON-RPC error for the client, with the modern era's codes. */
function wireErrorOf(id: string | number, error: unknown, notFoundData?: Record<string, unknown>): WireError {
  const e = error as { code?: unknown; message?: unknown; data?: unknown };
  let code = typeof e?.code === 'number' && Number.isSafeInteger(e.code) ? e.code : -32603;
  let data = e?.data;
  if (code === LEGACY_RESOURCE_NOT_FOUND) {
    code = INVALID_PARAMS;
    data ??= notFoundData;
  }
  // The revision asks for 400 when a request lacks a capability it needs (-32021).
  const status = code === -32021 ? 400 : 200;
  return { status, id, code, message: String(e?.message ?? error), ...(data !== undefined ? { data } : {}) };
}
