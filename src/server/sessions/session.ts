/**
 * One client session (docs/protocol.md): its own SDK Server bound to a view. Lists come from the catalog
 * cache; calls go to the owning backend with the original name; progress, cancellation and
 * server-to-client requests are tied to this session.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  InitializeRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  RootsListChangedNotificationSchema,
  LoggingLevelSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type LoggingLevel,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../../backends/backend.ts';
import { ownerOf, type SessionInstances } from '../../backends/instances.ts';
import { LazyJsonSchemaValidator } from '../../backends/lazy-validator.ts';
import type { ListKind } from '../../backends/types.ts';
import type { Catalog, Route } from '../../catalog/catalog.ts';
import type { View, ViewRef } from '../../catalog/view.ts';
import type { Logger } from '../../log.ts';
import { VERSION } from '../../version.ts';
import { notFound, relayError, RpcError, urlElicitationsIn } from '../errors.ts';
import { buildInstructions } from '../instructions.ts';
import { paginate } from '../pagination.ts';
import type { TaskTable } from '../task-table.ts';
import type { Tracer } from '../tracing/tracer.ts';
import type { CallObserver } from '../call-observer.ts';
import type { SessionLabels } from './labels.ts';
import type { RequestClock } from './request-clock.ts';
import { loginHint } from '../login-hint.ts';
import { sdkInitialize } from './sdk-initialize.ts';
import { callMetaTool, isMetaTool, searchModeInstructions, type MetaToolHost } from './search-mode.ts';
import { callTool, installTaskHandlers, TASKS_CAPABILITY, tasksCapabilityOf } from './tasks.ts';

type Extra = RequestHandlerExtra<any, any>;

/** Log levels from the most verbose to the least. */
const LOG_LEVELS = LoggingLevelSchema.options;

/** What a session asks of the router (server/router.ts implements it); an interface, so session.ts need not import router.ts. */
export interface SessionRouter {
  readonly tasks: TaskTable<Session, Route>;
  /** A call is being forwarded: a backend's question meanwhile goes to this session, on this call's stream. */
  beginCall(backend: Backend, session: Session, extra: Extra): object;
  endCall(call: object): void;
  /** A question of a modern backend that belongs to this call (input_required): to its client only. */
  ask(call: object, request: { method: string; params?: unknown }, signal: AbortSignal): Promise<unknown>;
  expectElicitation(backend: Backend, elicitationId: unknown, session: Session): void;
  subscribe(session: Session, route: Route, uriAsSeen: string): Promise<void>;
  unsubscribe(session: Session, route: Route): Promise<void>;
  levelsChanged(): void;
  /** Listeners that are not sessions (a 2026-07-28 subscriptions/listen stream) join and leave like sessions. */
  add(session: Session): void;
  remove(session: Session): void;
}

export interface SessionDeps {
  catalog: Catalog;
  router: SessionRouter;
  log: Logger;
  /** Wait (bounded by --list-wait) while backends are still starting. */
  waitForStartup(): Promise<void>;
  pagination: boolean;
  instructionsTemplate?: string;
  subscribeSupported(): boolean;
  /** Per-session instances of `"scope": "session"` servers (absent: every server is shared). */
  instances?: SessionInstances;
  /** Metrics and the audit log of backend calls (server/call-observer.ts). */
  observer?: CallObserver;
  /** Spans for requests (only when traces are on: server/tracing/). */
  tracer?: Tracer;
}

export class Session {
  readonly server: Server;
  id = '';
  lastActive = Date.now();
  logLevel?: LoggingLevel;
  /** What this session last saw of each list, to send list_changed only on a real change. */
  readonly seen: Partial<Record<ListKind, string>> = {};
  closed = false;
  onClosed?: () => void;
  /** The name of the token that opened this session (serve --enable-auth); later requests must carry it too. */
  owner?: string;
  /** Page aggregated lists: serve --pagination, or the client asked with ?pagination=true. */
  paginate: boolean;
  /** Transport, era, ?app= and token name (set by http/app.ts), for metrics, the audit log and status. */
  labels: SessionLabels = { transport: 'streamable-http', era: 'legacy' };
  /** Times this session's requests for /metrics. */
  requests?: RequestClock;
  /** Calls being forwarded, by the client's request id, so a dropped connection can cancel them. */
  private readonly running = new Map<string, AbortController>();

  constructor(
    readonly viewRef: ViewRef,
    private readonly deps: SessionDeps,
    pagination?: boolean,
  ) {
    this.paginate = pagination ?? deps.pagination;
    this.server = new Server(
      { name: '1mcp', version: VERSION },
      {
        capabilities: {
          tools: { listChanged: true },
          prompts: { listChanged: true },
          resources: { listChanged: true },
          logging: {},
          completions: {},
          // Lets task requests in at all; initialize tells the client only what its view's backends do.
          tasks: TASKS_CAPABILITY,
        },
        // Built on first use: a session's Server rarely validates anything (results pass through).
        jsonSchemaValidator: new LazyJsonSchemaValidator(),
      },
    );
    deps.tracer?.instrument(this.server, this);
    this.install();
  }

  get view(): View {
    return this.viewRef.current();
  }

  async connect(transport: Transport): Promise<void> {
    this.server.onclose = () => {
      this.closed = true;
      this.releaseInstances();
      this.onClosed?.();
    };
    await this.server.connect(transport);
    this.requests = this.deps.observer?.watch(transport);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.server.close().catch(() => {});
    this.releaseInstances();
    this.onClosed?.();
  }

  /** A resource this session subscribed to on its own instance changed (per-session servers). */
  resourceUpdated(uri: string): void {
    void this.server.notification({ method: 'notifications/resources/updated', params: { uri } }).catch(() => {});
  }

  /** This session's own instances of per-session servers stop with it. */
  private releaseInstances(): void {
    void this.deps.instances?.release(this).catch((e) => this.deps.log.warn(`stopping a session's instances failed: ${(e as Error).message}`));
  }

  /** The backend that serves this session for a route: the shared one, or this session's own instance. */
  private backendFor(backend: Backend): Backend {
    try {
      return this.deps.instances?.backendFor(backend, this) ?? backend;
    } catch (error) {
      throw relayError(error, backend.name);
    }
  }

  private touch(): void {
    this.lastActive = Date.now();
  }

  /** Lists: from the cache, after waiting for starting backends (bounded). */
  private async list<T>(kind: ListKind | 'templates', items: () => T[], keyOf: (t: T) => string, cursor: string | undefined) {
    this.touch();
    await this.deps.waitForStartup();
    const all = items();
    if (kind !== 'templates') this.seen[kind] = this.deps.catalog.signature(kind, this.view);
    return paginate(all, keyOf, cursor, this.paginate);
  }

  private install(): void {
    const { catalog, router } = this.deps;
    const s = this.server;

    // The SDK negotiates the protocol version; we add what is only known once backends are up:
    // the instructions of the servers in this view, and whether any of them supports subscribe.
    const negotiate = sdkInitialize(s);
    s.setRequestHandler(InitializeRequestSchema, async (req) => {
      await this.deps.waitForStartup();
      const result = await negotiate(req);
      const built = buildInstructions(catalog.backendsIn(this.view), this.deps.instructionsTemplate);
      // A model that sees three meta-tools needs to know the rest of the catalog is behind them.
      const instructions = catalog.searchMode(this.view) ? `${built}\n\n${searchModeInstructions(catalog.tools(this.view).length)}` : built;
      const subscribe = this.deps.subscribeSupported();
      const { tasks: _accepted, ...capabilities } = result.capabilities;
      const tasks = tasksCapabilityOf(catalog.backendsIn(this.view));
      return { ...result, capabilities: { ...capabilities, resources: { listChanged: true, ...(subscribe ? { subscribe } : {}) }, ...(tasks ? { tasks } : {}) }, instructions };
    });

    s.setRequestHandler(ListToolsRequestSchema, async (req) => {
      // Every tool of the view, or in search mode its pins and the meta-tools (catalog.listedTools).
      const { page, nextCursor } = await this.list('tools', () => catalog.listedTools(this.view), (t) => t.name, req.params?.cursor);
      return { tools: page, ...(nextCursor ? { nextCursor } : {}) };
    });
    s.setRequestHandler(ListPromptsRequestSchema, async (req) => {
      const { page, nextCursor } = await this.list('prompts', () => catalog.prompts(this.view), (p) => p.name, req.params?.cursor);
      return { prompts: page, ...(nextCursor ? { nextCursor } : {}) };
    });
    s.setRequestHandler(ListResourcesRequestSchema, async (req) => {
      const { page, nextCursor } = await this.list('resources', () => catalog.resources(this.view), (r) => r.uri, req.params?.cursor);
      return { resources: page, ...(nextCursor ? { nextCursor } : {}) };
    });
    s.setRequestHandler(ListResourceTemplatesRequestSchema, async (req) => {
      const { page, nextCursor } = await this.list('templates', () => catalog.resourceTemplates(this.view), (t) => t.uriTemplate, req.params?.cursor);
      return { resourceTemplates: page, ...(nextCursor ? { nextCursor } : {}) };
    });

    // Built only when the tool is not found (the hint looks at every backend in the view).
    const unknownTool = (name: string) => () => `unknown tool "${name}"; it is not in this view, disabled, or its server is gone (list the tools again)${loginHint(catalog.backendsIn(this.view))}`;
    const meta: MetaToolHost = {
      catalog,
      view: () => this.view,
      waitForStartup: () => this.deps.waitForStartup(),
      resolveTool: (name) => this.resolve(() => catalog.tool(name, this.view), unknownTool(name)),
      callTool: (route, params, extra) => callTool(this, router.tasks, route, params, extra),
    };
    s.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
      if (isMetaTool(req.params.name) && catalog.metaToolsEnabled(this.view)) return callMetaTool(meta, req.params, extra);
      const route = await this.resolve(() => catalog.tool(req.params.name, this.view), unknownTool(req.params.name));
      return callTool(this, router.tasks, route, { ...req.params, name: route.original }, extra);
    });
    s.setRequestHandler(GetPromptRequestSchema, async (req, extra) => {
      const route = await this.resolve(() => catalog.prompt(req.params.name, this.view), `unknown prompt "${req.params.name}"`);
      return this.forward(route, 'prompts/get', { ...req.params, name: route.original }, extra);
    });
    s.setRequestHandler(ReadResourceRequestSchema, async (req, extra) => {
      const route = await this.resolve(() => catalog.resource(req.params.uri, this.view), `unknown resource "${req.params.uri}"`);
      return this.forward(route, 'resources/read', { ...req.params, uri: route.original }, extra);
    });
    s.setRequestHandler(SubscribeRequestSchema, async (req) => {
      this.touch();
      const route = await this.resolve(() => catalog.resource(req.params.uri, this.view), `unknown resource "${req.params.uri}"`);
      const own = await this.deps.instances?.subscribe(route.backend, this, route.original, req.params.uri).catch((error) => {
        throw relayError(error, route.backend.name);
      });
      if (!own) await router.subscribe(this, route, req.params.uri);
      return {};
    });
    s.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
      this.touch();
      const route = catalog.resource(req.params.uri, this.view);
      if (route && !(await this.deps.instances?.unsubscribe(route.backend, this, route.original))) await router.unsubscribe(this, route);
      return {};
    });
    s.setRequestHandler(CompleteRequestSchema, async (req, extra) => {
      const ref = req.params.ref as { type: string; name?: string; uri?: string };
      const route =
        ref.type === 'ref/prompt'
          ? await this.resolve(() => catalog.prompt(ref.name ?? '', this.view), `unknown prompt "${ref.name}"`)
          : await this.resolve(() => catalog.resource(ref.uri ?? '', this.view), `unknown resource "${ref.uri}"`);
      const fixedRef = ref.type === 'ref/prompt' ? { ...ref, name: route.original } : { ...ref, uri: route.original.includes('{') ? ref.uri : route.original };
      if (!route.backend.capabilities.completions) return { completion: { values: [], hasMore: false } };
      return this.forward(route, 'completion/complete', { ...req.params, ref: fixedRef }, extra);
    });
    s.setRequestHandler(SetLevelRequestSchema, async (req) => {
      this.touch();
      this.logLevel = req.params.level;
      router.levelsChanged();
      this.deps.instances?.setLogLevel(this, req.params.level);
      return {};
    });
    s.setNotificationHandler(RootsListChangedNotificationSchema, () => {
      // Per-session servers hear it only from their own instance, never from another client.
      for (const b of catalog.backendsIn(this.view)) (this.deps.instances ? this.deps.instances.existing(b, this) : b)?.notify('notifications/roots/list_changed');
    });
    installTaskHandlers(this, router.tasks);
  }

  /** Find the route; during startup a name may belong to a backend that is still connecting. */
  private async resolve(find: () => Route | undefined, message: string | (() => string)): Promise<Route> {
    this.touch();
    let route = find();
    if (!route) {
      await this.deps.waitForStartup();
      route = find();
    }
    if (!route) throw notFound(typeof message === 'function' ? message() : message);
    return route;
  }

  /**
   * Send a client's request to the route's backend (also used for tasks, sessions/tasks.ts);
   * `timeout` replaces the server's requestTimeout for this request.
   */
  async forward(route: Route, method: string, params: Record<string, unknown>, extra: Extra, timeout?: number): Promise<any> {
    const backend = this.backendFor(route.backend);
    const progressToken = (params._meta as { progressToken?: string | number } | undefined)?.progressToken;
    // The backend gets our own progress token (per call), never the client's.
    const forwardedParams = { ...params };
    if (params._meta) {
      const { progressToken: _drop, ...meta } = params._meta as Record<string, unknown>;
      forwardedParams._meta = meta;
    }
    // Traces on: the backend request is a child span, and carries its context on in _meta.
    const span = this.deps.tracer?.backendCall(extra, backend, method, forwardedParams);
    if (span) forwardedParams._meta = { ...(forwardedParams._meta as object), ...span.meta };
    const call = this.deps.router.beginCall(backend, this, extra);
    // One controller per call, aborted by the client's cancellation or a dropped connection
    // (cancelRequests); cheaper than AbortSignal.any, which this runs for every call.
    const mine = new AbortController();
    const onClientAbort = () => mine.abort(extra.signal.reason);
    if (extra.signal.aborted) onClientAbort();
    else extra.signal.addEventListener('abort', onClientAbort, { once: true });
    const key = String(extra.requestId);
    this.running.set(key, mine);
    // Progress is relayed in order, and all of it before the result. A task's progress goes on after
    // the result (which created it): then as a notification of the session, not of the finished call.
    let progressSent: Promise<void> = Promise.resolve();
    let answered = false;
    try {
      await this.deps.instances?.whenReady(backend);
      const sent = performance.now();
      const pending = backend.request(method, forwardedParams, {
        signal: mine.signal,
        timeout,
        ask: (request, signal) => this.deps.router.ask(call, request, signal),
        onprogress:
          progressToken === undefined
            ? undefined
            : (p: Progress) => {
                const notification = { method: 'notifications/progress' as const, params: { ...p, progressToken } };
                progressSent = progressSent.then(() => (answered ? this.server.notification(notification) : extra.sendNotification(notification))).catch(() => {});
              },
      });
      const result = await (this.deps.observer?.call(this, route.backend.name, method, params, mine.signal, extra.requestId, sent, pending) ?? pending);
      await progressSent;
      answered = true;
      span?.end(result);
      return result;
    } catch (error) {
      span?.fail(error);
      if (error instanceof RpcError) throw error;
      // A -32042 names URL elicitations; their completion notices are for this session.
      for (const e of urlElicitationsIn(error)) this.deps.router.expectElicitation(backend, e.elicitationId, this);
      throw relayError(error, backend.name);
    } finally {
      extra.signal.removeEventListener('abort', onClientAbort);
      this.running.delete(key);
      this.deps.router.endCall(call);
      this.touch();
    }
  }

  /** The client went away while these requests were open: cancel them at the backends. */
  cancelRequests(ids: (string | number)[], reason = 'the client disconnected'): void {
    for (const id of ids) this.running.get(String(id))?.abort(new Error(reason));
  }

  /** Whether a backend's log message at `level` should reach this session. */
  admitsLog(level: string): boolean {
    if (!this.logLevel) return true;
    return LOG_LEVELS.indexOf(level as LoggingLevel) >= LOG_LEVELS.indexOf(this.logLevel);
  }

  includes(backend: Backend): boolean {
    // Another session's own instance is never part of this session (its logs and questions stay there).
    const owner = ownerOf(backend);
    if (owner && owner !== this) return false;
    return this.view.includes(backend.config.tags);
  }
}
