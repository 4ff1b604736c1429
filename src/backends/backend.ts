/**
 * One configured server, kept connected: state machine, restart with backoff, list caches, and
 * request forwarding that fails fast (with the server's name and state) when it is not connected.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  ProgressNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  TaskStatusNotificationSchema,
  ToolListChangedNotificationSchema,
  type Progress,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ServerConfig } from '../config/mcp-schema.ts';
import type { Logger } from '../log.ts';
import { backoffDelay, exhausted, STABLE_AFTER_MS } from './backoff.ts';
import { connect, type Connection } from './connect.ts';
import { fetchLists, fetchOneList } from './lists.ts';
import { StderrRing } from './stderr-ring.ts';
import { TaskProgress } from './task-progress.ts';
import { redactSecrets } from '../config/redact.ts';
import { emptyLists, type BackendLists, type BackendState, type BackendStatus, type ListKind } from './types.ts';

/** Results are passed through as they are: no schema may strip a field. */
export const AnyResult = z.looseObject({});

/** setTimeout's ceiling; our own timer enforces requestTimeout. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ForwardOptions {
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
  timeout?: number;
}

export type ServerRequestMethod = 'sampling/createMessage' | 'elicitation/create' | 'roots/list';

/** Notifications that belong to one client session (the router finds which). */
export type SessionNotificationMethod = 'notifications/tasks/status' | 'notifications/elicitation/complete';

/** How a backend talks to the rest of serve (wired by the Pool). */
export interface BackendHooks {
  onState(backend: Backend): void;
  onListChanged(backend: Backend, kind: ListKind): void;
  onLog(backend: Backend, params: { level: string; logger?: string; data?: unknown }): void;
  onResourceUpdated(backend: Backend, uri: string): void;
  /** A server-to-client request made by the backend: answer it through a client session. */
  onServerRequest(backend: Backend, method: ServerRequestMethod, params: unknown, signal: AbortSignal): Promise<unknown>;
  /** A task's status changed, or a URL elicitation completed: tell the session it belongs to. */
  onSessionNotification?(backend: Backend, method: SessionNotificationMethod, params: Record<string, unknown>): void;
}

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
  private generation = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private stableTimer?: ReturnType<typeof setTimeout>;
  private settleReady!: () => void;
  private stopped = false;
  private logLevel?: string;

  constructor(
    public config: ServerConfig,
    private readonly hooks: BackendHooks,
    private readonly log: Logger,
  ) {
    this.stderr = new StderrRing(200, 2000, (line) => {
      if (log.enabled('debug')) log.debug(`[${config.name}] ${redactSecrets(line)}`);
    });
    this.ready = new Promise((resolve) => (this.settleReady = resolve));
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

  private async connectOnce(): Promise<void> {
    const generation = ++this.generation;
    this.setState(this.restarts > 0 ? 'restarting' : 'starting');
    let connection: Connection;
    try {
      connection = await connect(this.config, this.stderr, (client) => this.prepare(client, generation));
    } catch (error) {
      if (generation !== this.generation || this.stopped) return;
      this.failed(`could not connect: ${errorText(error)}`);
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
    this.log.info(`[${this.name}] connected (${this.lists.tools.length} tools, ${this.lists.resources.length} resources${this.lists.resourceTemplates.length ? ` + ${this.lists.resourceTemplates.length} templates` : ''}, ${this.lists.prompts.length} prompts)`);
    this.settleReady();
  }

  private lastCloseReason?: string;

  private failed(reason: string): void {
    clearTimeout(this.stableTimer);
    this.taskProgress.clear();
    const oldConnection = this.connection;
    this.connection = undefined;
    this.pid = undefined;
    this.connectedAt = undefined;
    if (oldConnection) void oldConnection.client.close().catch(() => {});
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

  /** Handlers registered on a fresh client before it connects. */
  private prepare(client: Client, generation: number): void {
    const current = () => generation === this.generation;
    const refresh = async (kind: ListKind) => {
      if (!current() || this.state !== 'connected') return;
      try {
        await fetchOneList(client, this.capabilities, kind, this.lists, this.config.requestTimeout);
        if (current()) this.hooks.onListChanged(this, kind);
      } catch (error) {
        this.log.warn(`[${this.name}] refreshing its ${kind} failed: ${errorText(error)}`);
      }
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => refresh('tools'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => refresh('resources'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => refresh('prompts'));
    client.setNotificationHandler(ProgressNotificationSchema, (n) => {
      const { progressToken, ...progress } = n.params;
      this.progress.get(String(progressToken))?.(progress as Progress);
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      if (current()) this.hooks.onLog(this, n.params);
    });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      if (current()) this.hooks.onResourceUpdated(this, n.params.uri);
    });
    client.setNotificationHandler(TaskStatusNotificationSchema, (n) => {
      this.taskProgress.status(n.params.taskId, n.params.status);
      if (current()) this.hooks.onSessionNotification?.(this, 'notifications/tasks/status', n.params);
    });
    client.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) => {
      if (current()) this.hooks.onSessionNotification?.(this, 'notifications/elicitation/complete', n.params);
    });
    const forward = (method: ServerRequestMethod) => (request: { params?: unknown }, extra: { signal: AbortSignal }) =>
      this.hooks.onServerRequest(this, method, request.params, extra.signal) as Promise<never>;
    client.setRequestHandler(CreateMessageRequestSchema, forward('sampling/createMessage'));
    client.setRequestHandler(ElicitRequestSchema, forward('elicitation/create'));
    client.setRequestHandler(ListRootsRequestSchema, forward('roots/list'));
  }

  /** Progress listeners by the token we put on each forwarded request. */
  private progress = new Map<string, (p: Progress) => void>();
  /** Progress of tasks created by forwarded requests keeps flowing until they end. */
  private taskProgress = new TaskProgress(this.progress);
  private tokenCounter = 0;

  /**
   * Forward a request; fails at once when the backend is not connected. The time limit
   * (requestTimeout) restarts on every progress notification; when it runs out, the backend gets
   * notifications/cancelled and the caller a JSON-RPC error. Progress is tracked with our own token
   * (not the SDK's) so a notification that arrives just before the response is never dropped.
   */
  async request(method: string, params: Record<string, unknown> | undefined, options: ForwardOptions = {}): Promise<Record<string, unknown>> {
    const client = this.client;
    if (!client) {
      throw new McpError(ErrorCode.InternalError, `server "${this.name}" is ${this.state}${this.lastError ? ` (${this.lastError})` : ''}; see "1mcp mcp status ${this.name}"`);
    }
    const timeoutMs = options.timeout ?? this.config.requestTimeout;
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(options.signal?.reason ?? new Error('cancelled by the client'));
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new McpError(ErrorCode.RequestTimeout, `no answer within ${timeoutMs} ms (requestTimeout); the request was cancelled`)), timeoutMs);
    };
    const token = `1mcp-${++this.tokenCounter}`;
    this.progress.set(token, (p) => {
      arm();
      options.onprogress?.(p);
    });
    const meta = { ...((params?._meta as Record<string, unknown>) ?? {}), progressToken: token };
    arm();
    const send = (c: Client) => c.request({ method, params: { ...params, _meta: meta } } as never, AnyResult, { signal: controller.signal, timeout: MAX_TIMER_MS });
    let tokenKept = false;
    const answered = (result: Record<string, unknown>) => {
      tokenKept = this.taskProgress.keep(result, token, options.onprogress);
      return result;
    };
    try {
      return answered(await send(client));
    } catch (error) {
      if (this.config.type === 'stdio' || controller.signal.aborted) throw error;
      if (sessionLost(error)) {
        // The remote server forgot our session (it restarted): initialize again, once, and retry.
        this.log.info(`[${this.name}] session expired on the server; re-initializing`);
        const fresh = await this.reconnect();
        if (fresh) return answered(await send(fresh));
      } else if (unreachable(error) && this.connection?.client === client) {
        // Only the first failing request of this connection starts the reconnect cycle.
        this.failed(`unreachable: ${errorText(error)}`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
      if (!tokenKept) this.progress.delete(token);
    }
  }

  private reconnecting?: Promise<Client | undefined>;

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
    this.taskProgress.clear();
    this.generation++;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stableTimer);
    const connection = this.connection;
    this.connection = undefined;
    this.pid = undefined;
    this.connectedAt = undefined;
    if (this.state !== 'disabled') this.state = 'stopped';
    this.settleReady();
    if (connection) {
      await connection.client.close().catch(() => {});
      await connection.transport.close().catch(() => {});
    }
  }

  status(): BackendStatus {
    return {
      name: this.name,
      type: this.config.type,
      state: this.state,
      pid: this.pid,
      connectedAt: this.connectedAt ? new Date(this.connectedAt).toISOString() : undefined,
      uptimeSeconds: this.connectedAt ? Math.round((Date.now() - this.connectedAt) / 1000) : undefined,
      restarts: this.restarts,
      lastError: this.lastError,
      tools: this.lists.tools.length,
      resources: this.lists.resources.length + this.lists.resourceTemplates.length,
      prompts: this.lists.prompts.length,
      tags: this.config.tags,
    };
  }
}

/** A Streamable HTTP server that no longer knows our session answers 404. */
function sessionLost(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 404 || /session not found/i.test(errorText(error));
}

/** The remote server is not there at all (connection refused, reset, DNS). */
function unreachable(error: unknown): boolean {
  return /fetch failed|ECONNREFUSED|ECONNRESET|Unable to connect|socket hang up|ConnectionRefused|network/i.test(`${errorText(error)} ${(error as { cause?: unknown })?.cause ?? ''}`);
}

export function errorText(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

function chain<A extends unknown[]>(first: ((...a: A) => void) | undefined, second: (...a: A) => void): (...a: A) => void {
  return (...args: A) => {
    first?.(...args);
    second(...args);
  };
}
