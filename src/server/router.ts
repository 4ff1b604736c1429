/**
 * Messages that are not a plain request/response (docs/protocol.md): which session a backend's
 * server-to-client request, log line, resource update or list change belongs to.
 */
import { ErrorCode, LoggingLevelSchema, McpError, RELATED_TASK_META_KEY, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { AnyResult, type Backend, type BackendHooks, type ServerRequestMethod, type SessionNotificationMethod } from '../backends/backend.ts';
import type { ListKind } from '../backends/types.ts';
import type { Catalog, Route } from '../catalog/catalog.ts';
import type { Logger } from '../log.ts';
import { describeNeed, hasCapability, needOf, satisfies, type Need } from './client-needs.ts';
import type { Session, SessionRouter } from './sessions/session.ts';
import { TaskTable } from './task-table.ts';

interface InFlight {
  backend: Backend;
  session: Session;
  extra: RequestHandlerExtra<any, any>;
}

/** Where a backend's question goes: a session, on the stream of one of its calls when there is one. */
interface Target {
  session: Session;
  call?: InFlight;
}

/** URL elicitations awaiting completion, remembered at most this long. */
const ELICITATION_TTL_MS = 60 * 60_000;

/** Log levels from the most verbose to the least. */
const LOG_LEVELS = LoggingLevelSchema.options;

export class Router implements SessionRouter {
  readonly sessions = new Set<Session>();
  private inFlight = new Set<InFlight>();
  /** `${backend}\0${originalUri}` → subscribed sessions and the URI each of them used. */
  private subscriptions = new Map<string, Map<Session, string>>();
  /** Tasks created through serve: owning session, backend and ids (see task-table.ts). */
  readonly tasks = new TaskTable<Session, Route>();
  /** `${backend}\0${elicitationId}` → the session that was sent that URL elicitation. */
  private elicitations = new Map<string, { session: Session; at: number }>();

  constructor(
    private readonly catalog: Catalog,
    private readonly backends: () => Backend[],
    private readonly log: Logger,
  ) {}

  add(session: Session): void {
    this.sessions.add(session);
  }

  remove(session: Session): void {
    this.sessions.delete(session);
    this.tasks.dropSession(session);
    for (const [key, e] of this.elicitations) if (e.session === session) this.elicitations.delete(key);
    for (const call of this.inFlight) if (call.session === session) this.inFlight.delete(call);
    for (const [key, subscribers] of this.subscriptions) {
      if (subscribers.delete(session) && subscribers.size === 0) {
        this.subscriptions.delete(key);
        const [name, uri] = key.split('\u0000') as [string, string];
        this.backends().find((b) => b.name === name)?.request('resources/unsubscribe', { uri }).catch(() => {});
      }
    }
  }

  beginCall(backend: Backend, session: Session, extra: RequestHandlerExtra<any, any>): InFlight {
    const call = { backend, session, extra };
    this.inFlight.add(call);
    return call;
  }

  endCall(call: InFlight): void {
    this.inFlight.delete(call);
  }

  /** A modern backend's input request during this call (input_required): it goes to this call's client, exactly. */
  ask(call: InFlight, request: { method: string; params?: unknown }, signal: AbortSignal): Promise<unknown> {
    return this.serverRequest(call.backend, request.method as ServerRequestMethod, request.params, signal, call);
  }

  async subscribe(session: Session, route: Route, uriAsSeen: string): Promise<void> {
    const key = `${route.backend.name}\u0000${route.original}`;
    let subscribers = this.subscriptions.get(key);
    if (!subscribers) {
      subscribers = new Map();
      this.subscriptions.set(key, subscribers);
      if (route.backend.capabilities.resources?.subscribe) {
        await route.backend.request('resources/subscribe', { uri: route.original });
      }
    }
    subscribers.set(session, uriAsSeen);
  }

  async unsubscribe(session: Session, route: Route): Promise<void> {
    const key = `${route.backend.name}\u0000${route.original}`;
    const subscribers = this.subscriptions.get(key);
    if (!subscribers?.delete(session) || subscribers.size > 0) return;
    this.subscriptions.delete(key);
    if (route.backend.capabilities.resources?.subscribe) await route.backend.request('resources/unsubscribe', { uri: route.original }).catch(() => {});
  }

  /**
   * Backends log at the most verbose level any session in their view wants (a session that never
   * chose counts as "info"); each session then filters for itself. Untouched until someone chooses.
   */
  levelsChanged(): void {
    if (![...this.sessions].some((s) => s.logLevel)) return;
    for (const backend of this.backends()) {
      let min: LoggingLevel | undefined;
      for (const s of this.sessions) {
        if (!s.includes(backend)) continue;
        const level = s.logLevel ?? 'info';
        if (!min || LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(min)) min = level;
      }
      if (min) void backend.setLogLevel(min);
    }
  }

  /** Tell each session whose lists really changed (compared with what it last listed). */
  catalogChanged(): void {
    for (const session of this.sessions) this.notifyIfChanged(session);
  }

  notifyIfChanged(session: Session): void {
    if (session.closed) return;
    for (const kind of ['tools', 'prompts', 'resources'] as ListKind[]) {
      const before = session.seen[kind];
      if (before === undefined) continue;
      const now = this.catalog.signature(kind, session.view);
      if (now === before) continue;
      session.seen[kind] = now;
      void session.server.notification({ method: `notifications/${kind}/list_changed` }).catch(() => {});
    }
  }

  hooks(onCatalogChange: () => void, onState: (b: Backend) => void): BackendHooks {
    return {
      onState: (backend) => {
        onState(backend);
      },
      onListChanged: () => onCatalogChange(),
      onLog: (backend, params) => {
        for (const s of this.sessions) {
          if (s.closed || !s.includes(backend) || !s.admitsLog(params.level)) continue;
          const logger = params.logger ? `${backend.name}/${params.logger}` : backend.name;
          void s.server.notification({ method: 'notifications/message', params: { ...params, logger } }).catch(() => {});
        }
      },
      onResourceUpdated: (backend, uri) => {
        const subscribers = this.subscriptions.get(`${backend.name}\u0000${uri}`);
        for (const [s, seenUri] of subscribers ?? []) {
          void s.server.notification({ method: 'notifications/resources/updated', params: { uri: seenUri } }).catch(() => {});
        }
      },
      onServerRequest: (backend, method, params, signal) => this.serverRequest(backend, method, params, signal),
      onSessionNotification: (backend, method, params) => this.sessionNotification(backend, method, params),
    };
  }

  /** A URL elicitation went to this session (as a request, or inside a -32042 error of its call). */
  expectElicitation(backend: Backend, elicitationId: unknown, session: Session): void {
    if (typeof elicitationId !== 'string') return;
    const now = Date.now();
    for (const [key, e] of this.elicitations) if (now - e.at > ELICITATION_TTL_MS) this.elicitations.delete(key);
    this.elicitations.set(`${backend.name}\u0000${elicitationId}`, { session, at: now });
  }

  /** Task status and URL-elicitation completion reach only the session they belong to. */
  private sessionNotification(backend: Backend, method: SessionNotificationMethod, params: Record<string, unknown>): void {
    if (method === 'notifications/tasks/status') {
      const task = this.tasks.fromBackend(backend.name, String(params.taskId));
      if (!task || task.session.closed) return;
      void task.session.server.notification({ method, params: { ...params, taskId: task.id } } as never).catch(() => {});
      return;
    }
    const key = `${backend.name}\u0000${String(params.elicitationId)}`;
    const waiting = this.elicitations.get(key);
    if (!waiting) return;
    this.elicitations.delete(key);
    if (!waiting.session.closed) void waiting.session.server.notification({ method, params } as never).catch(() => {});
  }

  /**
   * A backend asks the client something (docs/security.md). It goes only to a session that includes
   * that backend and whose client declared what the request needs:
   *   - a request about a task (related-task in _meta) goes to the session that owns the task;
   *   - during calls to the backend, to the most recent calling session (on that call's stream) —
   *     unless the calls come from different tokens: then whose call asked is unknowable and it is refused;
   *   - otherwise to the most recently active session whose view includes the backend.
   * With none, the backend gets an error (-32601; -32602 when only a sub-capability is missing).
   */
  private async serverRequest(backend: Backend, method: ServerRequestMethod, params: unknown, signal: AbortSignal, known?: InFlight): Promise<unknown> {
    const need = needOf(method, params);
    const target = known ? this.callTarget(known, method, need) : this.targetFor(backend, method, params, need);
    const { session, call } = target;
    session.lastActive = Date.now();
    let forwarded = params as Record<string, unknown> | undefined;
    const related = relatedTaskId(params);
    if (related !== undefined) {
      // The client knows the task by our id, not the backend's.
      const task = this.tasks.fromBackend(backend.name, related);
      if (task) forwarded = { ...forwarded, _meta: { ...(forwarded?._meta as object), [RELATED_TASK_META_KEY]: { taskId: task.id } } };
    }
    if (need.sub === 'elicitation.url') this.expectElicitation(backend, forwarded?.elicitationId, session);
    const request = { method, params: forwarded } as never;
    return call ? call.extra.sendRequest(request, AnyResult, { signal }) : session.server.request(request, AnyResult, { signal });
  }

  /** The known call's session, when its client declared what the question needs. */
  private callTarget(call: InFlight, method: ServerRequestMethod, need: Need): Target {
    const s = call.session;
    if (s.closed || !satisfies(s.server.getClientCapabilities(), need)) {
      const partly = need.sub && hasCapability(s.server.getClientCapabilities(), need);
      throw new McpError(partly ? ErrorCode.InvalidParams : ErrorCode.MethodNotFound, `1mcp: the client that made this call to "${call.backend.name}" cannot answer ${method}: it did not declare ${describeNeed(need)}`);
    }
    return { session: s, call };
  }

  private targetFor(backend: Backend, method: ServerRequestMethod, params: unknown, need: Need): Target {
    const refuse = (candidates: Session[], why: string): never => {
      const partly = need.sub && candidates.some((s) => hasCapability(s.server.getClientCapabilities(), need));
      this.log.debug(`[${backend.name}] ${method} refused: ${why}`);
      throw new McpError(partly ? ErrorCode.InvalidParams : ErrorCode.MethodNotFound, `1mcp: no client session can answer ${method} from "${backend.name}": ${why}`);
    };
    const can = (s: Session) => !s.closed && satisfies(s.server.getClientCapabilities(), need);
    const lacking = `no client that may see "${backend.name}" declared ${describeNeed(need)}`;

    const related = relatedTaskId(params);
    const task = related === undefined ? undefined : this.tasks.fromBackend(backend.name, related);
    if (task) {
      if (!can(task.session)) refuse([task.session], `the client that owns the task did not declare ${describeNeed(need)}`);
      return { session: task.session, call: this.latestCall(backend, (c) => c.session === task.session) };
    }

    const calls = [...this.inFlight].filter((c) => c.backend === backend && !c.session.closed);
    if (calls.length > 0) {
      if (new Set(calls.map((c) => c.session.owner)).size > 1) {
        refuse([], `calls from different tokens are in flight, so whose call asked cannot be told apart; give "${backend.name}" "scope": "session" to serve each client its own instance`);
      }
      const call = this.latestCall(backend, (c) => can(c.session));
      if (!call) refuse(calls.map((c) => c.session), `the calling client did not declare ${describeNeed(need)}`);
      return { session: call!.session, call };
    }

    const candidates = [...this.sessions].filter((s) => !s.closed && s.includes(backend));
    const session = candidates.filter(can).sort((a, b) => b.lastActive - a.lastActive)[0];
    if (!session) refuse(candidates, lacking);
    return { session: session! };
  }

  private latestCall(backend: Backend, accept: (c: InFlight) => boolean): InFlight | undefined {
    return [...this.inFlight].reverse().find((c) => c.backend === backend && !c.session.closed && accept(c));
  }
}

/** The backend's task id a request says it belongs to (`_meta["io.modelcontextprotocol/related-task"]`). */
function relatedTaskId(params: unknown): string | undefined {
  const id = ((params as { _meta?: Record<string, { taskId?: unknown } | undefined> } | undefined)?._meta?.[RELATED_TASK_META_KEY])?.taskId;
  return typeof id === 'string' ? id : undefined;
}
