/**
 * A small client for 2026-07-28 ("modern") backends (docs/protocol.md, "Modern backends"). It offers the
 * few members of the SDK v1 Client that backend.ts, forward.ts, lists.ts and client-handlers.ts use, so
 * a modern backend feeds the same catalog and forwarding as a legacy one:
 *   - every request carries the `_meta` envelope (no handshake, no session);
 *   - an `input_required` result is answered here: each input request goes to the handler registered for
 *     its method (sampling, elicitation, roots — the router's path to a client, or the caller's own
 *     `ask`), and the request is sent again with the answers and the server's requestState, until a
 *     final result;
 *   - list changes and resource updates come from one `subscriptions/listen` request;
 *   - what the modern era removed (logging/setLevel, resources/subscribe, ping) is done its way.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { legacyShape, META_SUBSCRIPTION_ID, withEnvelope } from './envelope.ts';
import { Listener } from './listen.ts';
import { paramHeadersOf, type ParamHeaders } from '../../modern-headers.ts';
import { Rpc } from './rpc.ts';
import { offersTasks, TASK_METHODS, TaskBridge, TASKS_EXTENSION, withLegacyTasks } from './tasks.ts';

/** What server/discover told us. */
export interface Discovered {
  version: string;
  capabilities: ServerCapabilities;
  instructions?: string;
  serverInfo?: { name: string; version: string };
}

/** A question the backend asks through input_required, answered by a client. */
export type Ask = (request: { method: string; params?: unknown }, signal: AbortSignal) => Promise<unknown>;

export interface ModernRequestOptions {
  signal?: AbortSignal;
  timeout?: number;
  /** Where this request's input requests go (the calling client); otherwise the registered handlers. */
  ask?: Ask;
  /** Return an input_required result as it is: the caller passes it on to a modern client. */
  passInputRequired?: boolean;
}

/** A backend that keeps asking is stopped after this many rounds. */
const MAX_ROUNDS = 10;

type Handler = (message: { method: string; params?: any }, extra: { signal: AbortSignal }) => unknown;

const methodOf = (schema: unknown): string => (schema as { shape: { method: { value: string } } }).shape.method.value;

export class ModernClient {
  private readonly rpc: Rpc;
  private readonly listener: Listener;
  private readonly notificationHandlers = new Map<string, Handler>();
  private readonly requestHandlers = new Map<string, Handler>();
  private logLevel?: string;
  /** The backend's tasks (the extension) in the 2025-11-25 task wire; only when it offers the extension. */
  private readonly tasks?: TaskBridge;
  /** Each tool's `x-mcp-header` parameters, from the last tools/list: tools/call mirrors them in headers. */
  readonly paramHeaders: ParamHeaders;

  constructor(
    readonly transport: Transport,
    private readonly discovered: Discovered,
  ) {
    this.paramHeaders = (transport as { paramHeaders?: ParamHeaders }).paramHeaders ?? new Map();
    this.rpc = new Rpc(transport);
    // The listen declares the tasks extension when the backend offers it (it may ask for taskIds).
    const listenExtensions = offersTasks(discovered.capabilities) ? { [TASKS_EXTENSION]: {} } : undefined;
    this.listener = new Listener(this.rpc, discovered.capabilities, (params) => withEnvelope(params, undefined, listenExtensions));
    this.rpc.onnotification = (method, params) => this.notified(method, params);
    this.rpc.onlost = () => this.listener.stop();
    if (offersTasks(discovered.capabilities)) {
      this.tasks = new TaskBridge(
        (method, params, options, declareTasks) => this.run(method, params, options, declareTasks),
        (request, signal) => this.answerOne(request, signal),
        (taskId, on) => void this.listener.watchTask(taskId, on).catch(() => {}),
      );
    }
  }

  getServerCapabilities(): ServerCapabilities {
    return withLegacyTasks(this.discovered.capabilities);
  }

  getInstructions(): string | undefined {
    return this.discovered.instructions;
  }

  getServerVersion(): { name: string; version: string } | undefined {
    return this.discovered.serverInfo;
  }

  /** The protocol version both sides speak. */
  getProtocolVersion(): string {
    return this.discovered.version;
  }

  setNotificationHandler(schema: unknown, handler: Handler): void {
    this.notificationHandlers.set(methodOf(schema), handler);
  }

  setRequestHandler(schema: unknown, handler: Handler): void {
    this.requestHandlers.set(methodOf(schema), handler);
  }

  /** Start listening for list changes (and updates of watched resources). */
  listen(): Promise<void> {
    return this.listener.open();
  }

  async notification(notification: { method: string; params?: Record<string, unknown> }): Promise<void> {
    // The modern era has no handshake notifications and no roots change notice (roots come with each call).
    if (notification.method === 'notifications/initialized' || notification.method === 'notifications/roots/list_changed') return;
    await this.rpc.notify(notification);
  }

  /** One request, answered to the end: input_required rounds are run here. The schema is not used. */
  async request(message: { method: string; params?: Record<string, unknown> }, _schema?: unknown, options: ModernRequestOptions = {}): Promise<Record<string, unknown>> {
    const { method } = message;
    const params = message.params ?? {};
    if (method === 'ping') return {};
    if (method === 'logging/setLevel') {
      // Removed in the modern era: the level goes with every request instead.
      this.logLevel = typeof params.level === 'string' ? params.level : undefined;
      return {};
    }
    if (method === 'resources/subscribe' || method === 'resources/unsubscribe') {
      // Updates of this URI flow once the new listen is acknowledged.
      await this.listener.watch(String(params.uri), method === 'resources/subscribe');
      return {};
    }
    if (this.tasks && TASK_METHODS.has(method)) {
      const result = await this.tasks.request(method, params, options);
      return result.resultType === 'input_required' ? result : legacyShape(result);
    }
    return this.run(method, params, options, false);
  }

  /** The request sent until a final result (input_required rounds answered), the tasks extension declared or not. */
  private async run(method: string, params: Record<string, unknown>, options: ModernRequestOptions, declareTasks: boolean): Promise<Record<string, unknown>> {
    let sent = params;
    const extensions = declareTasks ? { [TASKS_EXTENSION]: {} } : undefined;
    for (let round = 0; ; round++) {
      const result = await this.rpc.request(method, withEnvelope(sent, this.logLevel, extensions), options);
      if (method === 'tools/list') this.rememberTools(result);
      if (result.resultType === 'task') return result;
      if (result.resultType !== 'input_required') return legacyShape(result);
      if (options.passInputRequired) return result;
      if (round + 1 >= MAX_ROUNDS) throw new McpError(ErrorCode.InternalError, `the server still asked for input after ${MAX_ROUNDS} rounds; gave up`);
      const inputResponses = await this.answer(result.inputRequests, options);
      const { inputResponses: _old, requestState: _state, ...rest } = params;
      sent = { ...rest, inputResponses, ...(typeof result.requestState === 'string' ? { requestState: result.requestState } : {}) };
    }
  }

  /** Ask a client each input request (all at once) and collect the answers by key. */
  private async answer(requests: unknown, options: ModernRequestOptions): Promise<Record<string, unknown>> {
    const entries = typeof requests === 'object' && requests !== null ? Object.entries(requests as Record<string, { method?: unknown; params?: unknown }>) : [];
    const signal = options.signal ?? new AbortController().signal;
    const answers = await Promise.all(
      entries.map(async ([key, request]) => {
        const method = String(request?.method);
        const handler = this.requestHandlers.get(method);
        const params = request?.params;
        if (options.ask) return [key, await options.ask({ method, params }, signal)] as const;
        if (!handler) throw new McpError(ErrorCode.InternalError, `the server asked for ${method}, which 1mcp cannot pass on`);
        return [key, await handler({ method, params }, { signal })] as const;
      }),
    );
    return Object.fromEntries(answers);
  }

  /** One input request of a task, to the handler registered for its method (the router's path to a client). */
  private async answerOne(request: { method: string; params?: unknown }, signal: AbortSignal): Promise<unknown> {
    const handler = this.requestHandlers.get(request.method);
    if (!handler) throw new McpError(ErrorCode.InternalError, `the server asked for ${request.method}, which 1mcp cannot pass on`);
    return handler({ method: request.method, params: request.params }, { signal });
  }

  private rememberTools(result: Record<string, unknown>): void {
    for (const tool of (result.tools as { name?: unknown; inputSchema?: unknown }[] | undefined) ?? []) {
      if (typeof tool?.name !== 'string') continue;
      const params = paramHeadersOf(tool.inputSchema);
      if (params.length) this.paramHeaders.set(tool.name, params);
      else this.paramHeaders.delete(tool.name);
    }
  }

  private notified(method: string, params: Record<string, unknown>): void {
    if (method === 'notifications/subscriptions/acknowledged') {
      this.listener.acknowledged(String((params._meta as Record<string, unknown> | undefined)?.[META_SUBSCRIPTION_ID]));
      return;
    }
    if (method === 'notifications/tasks') {
      // The extension's task notification, told to the router as the 2025-11-25 status notification.
      const status = this.tasks?.notified(params);
      if (status) void Promise.resolve(this.notificationHandlers.get('notifications/tasks/status')?.({ method: 'notifications/tasks/status', params: status }, { signal: new AbortController().signal })).catch(() => {});
      return;
    }
    void Promise.resolve(this.notificationHandlers.get(method)?.({ method, params }, { signal: new AbortController().signal })).catch(() => {});
  }

  async close(): Promise<void> {
    this.listener.stop();
    await this.rpc.close();
  }
}
