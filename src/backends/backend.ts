/**
 * One configured server, kept connected: state machine (starting → connected → restarting …),
 * restart with backoff, list caches, and the SDK client's handlers. Forwarding a request is in
 * forward.ts; it fails fast (with the server's name and state) when the server is not connected.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError, type ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/mcp-schema.ts';
import type { Logger } from '../log.ts';
import { backoffDelay, exhausted, STABLE_AFTER_MS } from './backoff.ts';
import { awaitingAuth } from './auth/errors.ts';
import { connect, type Connection } from './connect.ts';
import { fetchLists } from './lists.ts';
import { ModernClient } from './modern/client.ts';
import { installClientHandlers } from './client-handlers.ts';
import type { BackendHooks } from './hooks.ts';
import { Forwarder, type ConnectionControl, type ForwardOptions } from './forward.ts';
import { StderrRing } from './stderr-ring.ts';
import { errorText } from './transport-errors.ts';
import { redactSecrets } from '../config/redact.ts';
import { emptyLists, statusOf, type BackendLists, type BackendState, type BackendStatus } from './types.ts';

export { AnyResult, type ForwardOptions } from './forward.ts';

export type { BackendHooks, ServerRequestMethod, SessionNotificationMethod } from './hooks.ts';

export class Backend {
  state: BackendState = 'starting';
  lists: BackendLists = emptyLists();
  capabilities: ServerCapabilities = {};
  instructions?: string;
  serverVersion?: { name: string; version: string };
  pid?: number;
  connectedAt?: number;
  restarts = 0;
  lastError?: string;
  readonly stderr: StderrRing;
  /** Resolves when the first connection attempt has settled (connected or failed). */
  ready: Promise<void>;

  private connection?: Connection;
  /** Bumped by every connect and stop: callbacks of an older connection see they are stale. */
  private generation = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private stableTimer?: ReturnType<typeof setTimeout>;
  private settleReady!: () => void;
  private stopped = false;
  /** The connection attempt in progress, if any. */
  private connecting?: { abort: AbortController; done: Promise<void> };
  private logLevel?: string;
  /** Why the transport closed (its last error), for lastError. */
  private lastCloseReason?: string;
  /** A reconnect in progress, shared by concurrent callers. */
  private reconnecting?: Promise<Client | undefined>;
  private readonly forwarder: Forwarder;

  constructor(
    public config: ServerConfig,
    private readonly hooks: BackendHooks,
    private readonly log: Logger,
  ) {
    this.stderr = new StderrRing(200, 2000, (line) => {
      if (log.enabled('debug')) log.debug(`[${config.name}] ${redactSecrets(line)}`);
    });
    this.ready = new Promise((resolve) => (this.settleReady = resolve));
    const control: ConnectionControl = {
      notConnected: () =>
        this.state === 'awaiting-auth'
          ? new McpError(ErrorCode.InternalError, `server "${this.name}" is awaiting-auth: ${this.lastError ?? `it needs an OAuth login; run: 1mcp mcp auth ${this.name}`}`)
          : new McpError(ErrorCode.InternalError, `server "${this.name}" is ${this.state}${this.lastError ? ` (${this.lastError})` : ''}; see "1mcp mcp status ${this.name}"`),
      needsLogin: (reason) => this.needsLogin(reason),
      isCurrent: (client) => this.connection?.client === client,
      reconnect: () => this.reconnect(),
      failed: (reason) => this.failed(reason),
    };
    this.forwarder = new Forwarder(this, control, log);
    if (config.disabled) {
      this.state = 'disabled';
      this.settleReady();
    }
  }

  get name(): string {
    return this.config.name;
  }

  get client(): Client | undefined {
    return this.state === 'connected' ? this.connection?.client : undefined;
  }

  start(): void {
    if (this.config.disabled) return;
    if (this.config.configProblem) {
      // Not started at all: its config (or serve's environment) must change first.
      this.log.warn(`[${this.name}] not started: ${this.config.configProblem}`);
      this.setState('error', this.config.configProblem);
      this.settleReady();
      return;
    }
    void this.connectOnce();
  }

  private setState(state: BackendState, error?: string): void {
    this.state = state;
    if (error !== undefined) this.lastError = error;
    this.hooks.onState(this);
  }

  /** Start a connection attempt; stop() aborts it and waits for it, so no half-started child outlives serve. */
  private connectOnce(): Promise<void> {
    const abort = new AbortController();
    const attempt = this.attemptConnection(abort.signal);
    const pending = { abort, done: attempt };
    this.connecting = pending;
    return attempt.finally(() => {
      if (this.connecting === pending) this.connecting = undefined;
    });
  }

  private async attemptConnection(signal: AbortSignal): Promise<void> {
    const generation = ++this.generation;
    this.setState(this.restarts > 0 ? 'restarting' : 'starting');
    let connection: Connection;
    try {
      const current = () => generation === this.generation;
      connection = await connect(
        this.config,
        this.stderr,
        (client) => installClientHandlers(client, { backend: this, hooks: this.hooks, forwarder: this.forwarder, log: this.log, current }),
        signal,
      );
    } catch (error) {
      if (generation !== this.generation || this.stopped) return;
      const login = awaitingAuth(error);
      if (login) this.needsLogin(login.message);
      else this.failed(`could not connect: ${errorText(error)}`);
      return;
    }
    if (generation !== this.generation || this.stopped) {
      await connection.client.close().catch(() => {});
      return;
    }
    this.connection = connection;
    this.pid = connection.pid;
    this.capabilities = connection.client.getServerCapabilities() ?? {};
    this.instructions = connection.client.getInstructions();
    this.serverVersion = connection.client.getServerVersion();
    connection.transport.onclose = chain(connection.transport.onclose, () => {
      if (generation === this.generation && !this.stopped) this.failed(this.lastCloseReason ?? 'connection closed');
    });
    connection.transport.onerror = chain(connection.transport.onerror, (error: Error) => {
      this.lastCloseReason = errorText(error);
    });
    try {
      this.lists = await fetchLists(connection.client, this.capabilities, this.config.requestTimeout);
    } catch (error) {
      if (generation !== this.generation || this.stopped) return;
      // Servers that let `initialize` through unauthenticated ask for the login on the first list.
      const login = awaitingAuth(error);
      if (login) return this.needsLogin(login.message);
      this.log.warn(`[${this.name}] connected, but listing its tools failed: ${errorText(error)}`);
      this.lists = emptyLists();
    }
    if (generation !== this.generation || this.stopped) return;
    this.connectedAt = Date.now();
    this.lastCloseReason = undefined;
    if (this.logLevel && this.capabilities.logging) void this.setLogLevel(this.logLevel);
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => (this.restarts = 0), STABLE_AFTER_MS);
    this.stableTimer.unref?.();
    this.setState('connected');
    const era = connection.client instanceof ModernClient ? ' in the 2026-07-28 era' : '';
    this.log.info(`[${this.name}] connected${era} (${this.lists.tools.length} tools, ${this.lists.resources.length} resources${this.lists.resourceTemplates.length ? ` + ${this.lists.resourceTemplates.length} templates` : ''}, ${this.lists.prompts.length} prompts)`);
    this.settleReady();
  }

  /** Forget the current connection (closing it in the background) and what belonged to it. */
  private dropConnection(): void {
    clearTimeout(this.stableTimer);
    this.forwarder.tasks.clear();
    const oldConnection = this.connection;
    this.connection = undefined;
    this.pid = undefined;
    this.connectedAt = undefined;
    if (oldConnection) void oldConnection.client.close().catch(() => {});
  }

  private failed(reason: string): void {
    // One broken connection is one failure: closing it below fires its transport's onclose (and a
    // request may have reported it already); making its callbacks stale keeps them from failing it
    // again, which would log twice and start a second restart timer.
    this.generation++;
    clearTimeout(this.retryTimer);
    this.dropConnection();
    this.lastError = reason;
    this.log.warn(`[${this.name}] ${reason}`);
    // Its last lists stay (calls fail fast with the state): clients such as Codex ignore
    // list_changed, so a brief restart must not make tools vanish and come back.
    const mayRestart = this.config.type !== 'stdio' || this.config.restartOnExit;
    if (!mayRestart) {
      this.setState('error', reason);
      this.settleReady();
      return;
    }
    if (exhausted(this.restarts, this.config.maxRestarts)) {
      this.setState('crash-loop', reason);
      this.log.error(`[${this.name}] gave up after ${this.restarts} restarts (maxRestarts ${this.config.maxRestarts}); fix it and run "1mcp mcp restart ${this.name}"`);
      this.settleReady();
      return;
    }
    const delay = backoffDelay(this.config.restartDelay, this.restarts);
    this.restarts++;
    this.setState('restarting', reason);
    // The first failure settles `ready` so list requests don't wait for a long backoff.
    this.settleReady();
    this.retryTimer = setTimeout(() => void this.connectOnce(), delay);
    this.retryTimer.unref?.();
  }

  /**
   * The remote server wants an OAuth login that serve cannot do by itself: wait (no restarts) until
   * "1mcp mcp auth" saves one and restarts this backend.
   */
  private needsLogin(reason: string): void {
    // The closing connection's callbacks are stale now: they must not start the restart cycle.
    this.generation++;
    clearTimeout(this.retryTimer);
    this.dropConnection();
    this.log.warn(`[${this.name}] ${reason}`);
    this.setState('awaiting-auth', reason);
    this.settleReady();
  }

  /** Forward a request to this server (forward.ts); fails at once when it is not connected. */
  request(method: string, params: Record<string, unknown> | undefined, options?: ForwardOptions): Promise<Record<string, unknown>> {
    return this.forwarder.request(method, params, options);
  }

  /** Drop the current connection and connect again now (shared by concurrent callers). */
  private reconnect(): Promise<Client | undefined> {
    this.reconnecting ??= (async () => {
      const old = this.connection;
      this.connection = undefined;
      if (old) void old.client.close().catch(() => {});
      await this.connectOnce();
      return this.client;
    })().finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }

  notify(method: string, params?: Record<string, unknown>): void {
    void this.client?.notification({ method, params } as never).catch(() => {});
  }

  async setLogLevel(level: string): Promise<void> {
    this.logLevel = level;
    if (!this.client || !this.capabilities.logging) return;
    await this.request('logging/setLevel', { level }).catch((e) => this.log.debug(`[${this.name}] logging/setLevel failed: ${errorText(e)}`));
  }

  /** Restart now (status "restart" command, or a config change that needs it). */
  async restart(config = this.config): Promise<void> {
    await this.stop();
    this.config = config;
    this.stopped = false;
    this.restarts = 0;
    this.lastError = undefined;
    this.lists = emptyLists();
    if (config.disabled) {
      this.setState('disabled');
      return;
    }
    this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.forwarder.tasks.clear();
    this.generation++;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stableTimer);
    const connection = this.connection;
    this.connection = undefined;
    this.pid = undefined;
    this.connectedAt = undefined;
    if (this.state !== 'disabled') this.state = 'stopped';
    this.settleReady();
    const connecting = this.connecting;
    connecting?.abort.abort();
    if (connection) {
      await connection.client.close().catch(() => {});
      await connection.transport.close().catch(() => {});
    }
    await connecting?.done.catch(() => {});
  }

  status(): BackendStatus {
    return statusOf(this);
  }
}

function chain<A extends unknown[]>(first: ((...a: A) => void) | undefined, second: (...a: A) => void): (...a: A) => void {
  return (...args: A) => {
    first?.(...args);
    second(...args);
  };
}
