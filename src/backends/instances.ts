/**
 * Per-session instances of servers with `"scope": "session"` (docs/security.md): each client session
 * that uses such a server gets its own Backend — its own process or remote session — so roots,
 * sampling, elicitation and whatever state the server keeps never cross clients. Instances start on
 * the session's first request to that server and stop when the session ends or the server's entry
 * changes; their number per server is bounded by `maxInstances`.
 *
 * The pool's Backend of such a server stays as the "listing instance": the catalog takes its tools,
 * resources and prompts from it, but no client call and no client question ever reaches it.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/mcp-schema.ts';
import type { Logger } from '../log.ts';
import { Backend, type BackendHooks } from './backend.ts';

/** The client session an instance belongs to (a Session, seen from below). */
export interface InstanceOwner {
  readonly id: string;
  readonly closed: boolean;
  readonly logLevel?: string;
  /** Tell the client a resource it subscribed to (by the URI it used) changed. */
  resourceUpdated?(uri: string): void;
}

/** A Backend that serves exactly one client session. */
export class SessionInstance extends Backend {
  /** The owner's subscriptions on this instance: original URI → the URI the client used. */
  readonly subscriptions = new Map<string, string>();

  constructor(
    config: ServerConfig,
    hooks: BackendHooks,
    log: Logger,
    readonly owner: InstanceOwner,
  ) {
    super(config, hooks, log);
  }
}

/** The session `backend` serves, or undefined when it is shared by every session in its view. */
export function ownerOf(backend: Backend): InstanceOwner | undefined {
  return backend instanceof SessionInstance ? backend.owner : undefined;
}

export function isPerSession(backend: Backend): boolean {
  return backend.config.scope === 'session' && !(backend instanceof SessionInstance);
}

export class SessionInstances {
  /** server name → owner → its instance. */
  private byServer = new Map<string, Map<InstanceOwner, SessionInstance>>();
  private readonly hooks: BackendHooks;

  constructor(
    hooks: BackendHooks,
    private readonly log: Logger,
  ) {
    // The catalog lists the listing instance, and a state change of one client's instance is not
    // news for anyone else; logs and server-to-client requests are routed by owner upstream.
    this.hooks = {
      ...hooks,
      onState: () => {},
      onListChanged: () => {},
      // Only the owner subscribes on its instance (see subscribe below).
      onResourceUpdated: (backend, uri) => {
        const instance = backend as SessionInstance;
        const seen = instance.subscriptions.get(uri);
        if (seen !== undefined && !instance.owner.closed) instance.owner.resourceUpdated?.(seen);
      },
    };
  }

  /**
   * The backend that answers `owner`'s requests to `backend`: the backend itself when it is shared,
   * else the owner's own instance, started now on first use. Before sending to it, await
   * `whenReady` — after registering the call, so that questions the instance asks while starting
   * (a filesystem server asks for roots once initialized) travel on that call's own stream.
   */
  backendFor(backend: Backend, owner: InstanceOwner): Backend {
    if (!isPerSession(backend)) return backend;
    const config = backend.config;
    let mine = this.byServer.get(config.name);
    let instance = mine?.get(owner);
    if (instance && (instance.state === 'crash-loop' || instance.state === 'error')) {
      // It gave up (or may not restart): the session's next request gets a fresh instance.
      mine!.delete(owner);
      void instance.stop();
      instance = undefined;
    }
    if (!instance) {
      if (owner.closed) throw new McpError(ErrorCode.InvalidRequest, 'this session has ended');
      const live = mine?.size ?? 0;
      if (live >= config.maxInstances) {
        throw new McpError(
          ErrorCode.InternalError,
          `server "${config.name}" runs one instance per client session and all ${config.maxInstances} are in use (maxInstances ${config.maxInstances}); try again when another client disconnects, or raise "maxInstances" for "${config.name}" in mcp.json`,
        );
      }
      instance = new SessionInstance(config, this.hooks, this.log, owner);
      if (!mine) this.byServer.set(config.name, (mine = new Map()));
      mine.set(owner, instance);
      if (owner.logLevel) void instance.setLogLevel(owner.logLevel);
      this.log.info(`[${config.name}] starting an instance for session ${shortId(owner.id)} (${live + 1} of at most ${config.maxInstances})`);
      instance.start();
    }
    return instance;
  }

  /** Resolves when `backend` can take the request: a fresh instance has connected or failed once. */
  async whenReady(backend: Backend): Promise<void> {
    if (backend instanceof SessionInstance) await backend.ready;
  }

  /**
   * resources/subscribe for a per-session server: made on the owner's own instance, and its updates
   * go to the owner only. False when `backend` is shared (the router handles those).
   */
  async subscribe(backend: Backend, owner: InstanceOwner, original: string, seen: string): Promise<boolean> {
    if (!isPerSession(backend)) return false;
    const instance = this.backendFor(backend, owner) as SessionInstance;
    await instance.ready;
    if (!instance.subscriptions.has(original) && instance.capabilities.resources?.subscribe) {
      await instance.request('resources/subscribe', { uri: original });
    }
    instance.subscriptions.set(original, seen);
    return true;
  }

  async unsubscribe(backend: Backend, owner: InstanceOwner, original: string): Promise<boolean> {
    if (!isPerSession(backend)) return false;
    const instance = this.byServer.get(backend.name)?.get(owner);
    if (instance?.subscriptions.delete(original) && instance.capabilities.resources?.subscribe) {
      await instance.request('resources/unsubscribe', { uri: original }).catch(() => {});
    }
    return true;
  }

  /** The owner's instance of `backend` if it has one already (never starts one). */
  existing(backend: Backend, owner: InstanceOwner): Backend | undefined {
    if (!isPerSession(backend)) return backend;
    return this.byServer.get(backend.name)?.get(owner);
  }

  /** The owner chose a log level: its own instances log at exactly that level. */
  setLogLevel(owner: InstanceOwner, level: string): void {
    for (const mine of this.byServer.values()) void mine.get(owner)?.setLogLevel(level);
  }

  /** How many instances of a server are running (or starting). */
  count(name: string): number {
    return this.byServer.get(name)?.size ?? 0;
  }

  /** The session ended: stop its instances. */
  async release(owner: InstanceOwner): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const [name, mine] of this.byServer) {
      const instance = mine.get(owner);
      if (!instance) continue;
      mine.delete(owner);
      if (mine.size === 0) this.byServer.delete(name);
      this.log.info(`[${name}] stopping the instance of session ${shortId(owner.id)} (the session ended)`);
      stopping.push(instance.stop());
    }
    await Promise.all(stopping);
  }

  /** The server's entry changed or went away: stop every instance (sessions get a fresh one on next use). */
  async stopServer(name: string): Promise<void> {
    const mine = this.byServer.get(name);
    if (!mine) return;
    this.byServer.delete(name);
    await Promise.all([...mine.values()].map((i) => i.stop()));
  }

  /** Fields that need no new connection (timeouts, restart policy) reach running instances too. */
  updateConfig(config: ServerConfig): void {
    for (const instance of this.byServer.get(config.name)?.values() ?? []) instance.config = config;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.byServer.keys()].map((name) => this.stopServer(name)));
  }
}

function shortId(id: string): string {
  return id.slice(0, 8) || '(unnamed)';
}
