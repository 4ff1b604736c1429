/**
 * Messages that are not a plain request/response (SPEC §4.3): which session a backend's
 * server-to-client request, log line, resource update or list change belongs to.
 */
import { ErrorCode, McpError, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { AnyResult, type Backend, type BackendHooks, type ServerRequestMethod } from '../backends/backend.ts';
import type { ListKind } from '../backends/types.ts';
import type { Catalog, Route } from '../catalog/catalog.ts';
import type { Logger } from '../log.ts';
import { LOG_LEVELS, type Session } from './sessions/session.ts';

interface InFlight {
  backend: Backend;
  session: Session;
  extra: RequestHandlerExtra<any, any>;
}

const CAPABILITY: Record<ServerRequestMethod, 'sampling' | 'elicitation' | 'roots'> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

export class Router {
  readonly sessions = new Set<Session>();
  private inFlight = new Set<InFlight>();
  /** `${backend}\0${originalUri}` → subscribed sessions and the URI each of them used. */
  private subscriptions = new Map<string, Map<Session, string>>();

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
    };
  }

  /**
   * A backend asks the client something. During a client's call to it, that client answers (on the
   * call's own stream); otherwise the most recently active session that can.
   */
  private async serverRequest(backend: Backend, method: ServerRequestMethod, params: unknown, signal: AbortSignal): Promise<unknown> {
    const capability = CAPABILITY[method];
    const calls = [...this.inFlight].reverse().filter((c) => c.backend === backend && !c.session.closed && c.session.clientCan(capability));
    const call = calls[0];
    if (call) {
      call.session.lastActive = Date.now();
      return call.extra.sendRequest({ method, params } as never, AnyResult, { signal });
    }
    const candidates = [...this.sessions]
      .filter((s) => !s.closed && s.clientCan(capability))
      .sort((a, b) => Number(b.includes(backend)) - Number(a.includes(backend)) || b.lastActive - a.lastActive);
    const session = candidates[0];
    if (!session) {
      this.log.debug(`[${backend.name}] ${method}: no client session can answer it`);
      throw new McpError(ErrorCode.MethodNotFound, `no connected client supports ${method}`);
    }
    return session.server.request({ method, params } as never, AnyResult, { signal });
  }
}
