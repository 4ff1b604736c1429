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
import { unreachable } from '../transport-errors.ts';
import { META_SUBSCRIPTION_ID } from '../../server/modern/wire.ts';
import { legacyShape, withEnvelope } from './envelope.ts';
import { headerParams, type ParamHeaders } from './param-headers.ts';

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
/** setTimeout's ceiling: a larger timeout means "the caller keeps its own time". */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A subscribe waits at most this long for the server to acknowledge the new listen. */
const ACK_WAIT_MS = 2000;
/** A listen stream that ended is opened again after this long (while connected). */
const RELISTEN_MS = 1000;

type Handler = (message: { method: string; params?: any }, extra: { signal: AbortSignal }) => unknown;

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

const methodOf = (schema: unknown): string => (schema as { shape: { method: { value: string } } }).shape.method.value;

export class ModernClient {
  private nextId = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly notificationHandlers = new Map<string, Handler>();
  private readonly requestHandlers = new Map<string, Handler>();
  private logLevel?: string;
  /** URIs whose updates we listen for (resources/subscribe of the legacy era). */
  private readonly watched = new Set<string>();
  private listenId?: string;
  private relistenTimer?: ReturnType<typeof setTimeout>;
  /** Listens waiting for their acknowledgement, by request id. */
  private readonly acks = new Map<string, () => void>();
  private closed = false;
  /** Each tool's `x-mcp-header` parameters, from the last tools/list: tools/call mirrors them in headers. */
  readonly paramHeaders: ParamHeaders;

  constructor(
    readonly transport: Transport,
    private readonly discovered: Discovered,
  ) {
    this.paramHeaders = (transport as { paramHeaders?: ParamHeaders }).paramHeaders ?? new Map();
    transport.onmessage = (message) => this.receive(message as never);
    transport.onclose = () => this.lost(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'));
  }

  getServerCapabilities(): ServerCapabilities {
    return this.discovered.capabilities;
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

  /**
   * Start listening for list changes (and updates of watched resources); resolves once the server
   * acknowledged (or after ACK_WAIT_MS). A new listen replaces the previous one, which ends only after
   * the new one is acknowledged, so no change falls between the two.
   */
  listen(): Promise<void> {
    const caps = this.discovered.capabilities;
    const wants = caps.tools?.listChanged || caps.prompts?.listChanged || caps.resources?.listChanged || this.watched.size > 0;
    if (this.closed || !wants) return Promise.resolve();
    const previous = this.listenId;
    const id = `listen-${++this.nextId}`;
    this.listenId = id;
    const notifications = {
      ...(caps.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(caps.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(caps.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(this.watched.size ? { resourceSubscriptions: [...this.watched] } : {}),
    };
    const acknowledged = new Promise<void>((resolve) => this.acks.set(id, resolve));
    void acknowledged.then(() => {
      if (previous) this.cancel(previous, 'replaced by a new listen');
    });
    this.pending.set(id, {
      // The stream ended (server restart of the stream, a proxy timeout): listen again while connected.
      resolve: () => this.relisten(id),
      reject: () => this.relisten(id),
    });
    this.transport.send({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: withEnvelope({ notifications }) } as never).catch((error: unknown) => {
      // The server is gone (refused, reset): the connection is lost, and the backend's reconnect cycle starts.
      if (unreachable(error)) {
        this.transport.onerror?.(error as Error);
        void this.transport.close();
      } else this.relisten(id);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, ACK_WAIT_MS)));
    return Promise.race([acknowledged, waited]).finally(() => clearTimeout(timer));
  }

  private relisten(id: string): void {
    this.pending.delete(id);
    this.acked(id);
    if (this.closed || this.listenId !== id) return;
    clearTimeout(this.relistenTimer);
    this.relistenTimer = setTimeout(() => void this.listen(), RELISTEN_MS);
    this.relistenTimer.unref?.();
  }

  async notification(notification: { method: string; params?: Record<string, unknown> }): Promise<void> {
    // The modern era has no handshake notifications and no roots change notice (roots come with each call).
    if (notification.method === 'notifications/initialized' || notification.method === 'notifications/roots/list_changed') return;
    await this.transport.send({ jsonrpc: '2.0', ...notification } as never);
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
      const uri = String(params.uri);
      const had = this.watched.has(uri);
      if (method === 'resources/subscribe') this.watched.add(uri);
      else this.watched.delete(uri);
      // Updates of this URI flow once the new listen is acknowledged.
      if (had !== this.watched.has(uri)) await this.listen();
      return {};
    }
    let sent = params;
    for (let round = 0; ; round++) {
      const result = await this.send(method, sent, options);
      if (method === 'tools/list') this.rememberTools(result);
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

  private rememberTools(result: Record<string, unknown>): void {
    for (const tool of (result.tools as { name?: unknown; inputSchema?: unknown }[] | undefined) ?? []) {
      if (typeof tool?.name !== 'string') continue;
      const params = headerParams(tool.inputSchema);
      if (params.length) this.paramHeaders.set(tool.name, params);
      else this.paramHeaders.delete(tool.name);
    }
  }

  private send(method: string, params: Record<string, unknown>, options: ModernRequestOptions): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'));
    const id = `${++this.nextId}`;
    const { signal, timeout } = options;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      const onAbort = () => {
        done();
        this.cancel(id, String((signal?.reason as Error | undefined)?.message ?? 'cancelled'));
        reject(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== undefined && timeout < MAX_TIMER_MS) {
        timer = setTimeout(() => {
          done();
          this.cancel(id, 'timed out');
          reject(new McpError(ErrorCode.RequestTimeout, `Request timed out after ${timeout} ms`));
        }, timeout);
      }
      this.pending.set(id, {
        resolve: (result) => {
          done();
          resolve(result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      this.transport.send({ jsonrpc: '2.0', id, method, params: withEnvelope(params, this.logLevel) } as never).catch((error: Error) => this.pending.get(id)?.reject(error));
    });
  }

  private cancel(id: string, reason: string): void {
    this.pending.delete(id);
    void this.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } } as never).catch(() => {});
  }

  private receive(message: { id?: string | number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } }): void {
    if (message.method === undefined) {
      const waiting = this.pending.get(String(message.id));
      if (!waiting) return;
      if (message.error) waiting.reject(McpError.fromError(message.error.code, message.error.message, message.error.data));
      else waiting.resolve(message.result ?? {});
      return;
    }
    if (message.id !== undefined) {
      // The modern era has no server-to-client requests: questions come as input_required results.
      void this.transport.send({ jsonrpc: '2.0', id: message.id, error: { code: ErrorCode.MethodNotFound, message: `1mcp does not answer ${message.method} from a 2026-07-28 server` } } as never).catch(() => {});
      return;
    }
    if (message.method === 'notifications/subscriptions/acknowledged') {
      this.acked(String((message.params?._meta as Record<string, unknown> | undefined)?.[META_SUBSCRIPTION_ID]));
      return;
    }
    try {
      void Promise.resolve(this.notificationHandlers.get(message.method)?.({ method: message.method, params: message.params ?? {} }, { signal: new AbortController().signal })).catch(() => {});
    } catch {
      // A handler's failure is its own.
    }
  }

  private acked(id: string): void {
    this.acks.get(id)?.();
    this.acks.delete(id);
  }

  private lost(error: Error): void {
    this.closed = true;
    for (const id of [...this.acks.keys()]) this.acked(id);
    clearTimeout(this.relistenTimer);
    for (const waiting of [...this.pending.values()]) waiting.reject(error);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.relistenTimer);
    await this.transport.close();
  }
}
