/**
 * Forwarding one request to a backend: our own progress token, the time limit that restarts on
 * progress, cancellation by the caller, and one retry when a remote server forgot our session.
 * The result is passed through untouched (docs/design.md, tool-call flow).
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Logger } from '../log.ts';
import { awaitingAuth } from './auth/errors.ts';
import type { Ask } from './modern/client.ts';
import { TaskProgress } from './task-progress.ts';
import { authRaceLost, errorText, sessionLost, unreachable } from './transport-errors.ts';

/**
 * A result schema that accepts any JSON object as it is. The SDK validates every result with the
 * schema it is given; a Zod object would walk (and copy) every field of every answer, and no schema
 * may strip one. Without `_zod` the SDK takes the plain `safeParse` contract of Zod 3 schemas.
 */
export const AnyResult = {
  safeParse(data: unknown) {
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) return { success: true, data };
    return { success: false, error: new McpError(ErrorCode.InvalidParams, 'the result is not a JSON object') };
  },
} as unknown as z.ZodObject<{}, z.core.$loose>;

/** setTimeout's ceiling; our own timer enforces requestTimeout. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ForwardOptions {
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
  timeout?: number;
  /**
   * Where a modern backend's input requests for this call go (modern/client.ts): the calling client,
   * known exactly. Legacy backends ask through the router instead.
   */
  ask?: Ask;
  /** A modern backend's input_required comes back as it is (to pass on to a modern client) instead of being answered here. */
  passInputRequired?: boolean;
}

/** The backend a Forwarder belongs to, as forwarding sees it. */
export interface ForwardTarget {
  readonly name: string;
  readonly config: { type: string; requestTimeout: number };
  /** The connected client; undefined while the backend is not connected. */
  readonly client: Client | undefined;
}

/** What forwarding may do to the backend's connection. */
export interface ConnectionControl {
  /** The error for a request while not connected (names the state and the last error). */
  notConnected(): McpError;
  /** This client's connection is still the current one. */
  isCurrent(client: Client): boolean;
  /** Drop the connection and connect again now (the remote server forgot our session). */
  reconnect(): Promise<Client | undefined>;
  /** The remote server is unreachable: start the reconnect cycle. */
  failed(reason: string): void;
  /** The remote server refused our OAuth login and a refresh did not help: wait for "1mcp mcp auth". */
  needsLogin(reason: string): void;
}

export class Forwarder {
  /** Progress listeners by the token we put on each forwarded request. */
  private readonly progress = new Map<string, (p: Progress) => void>();
  /** Progress of tasks created by forwarded requests keeps flowing until they end. */
  readonly tasks = new TaskProgress(this.progress);
  private tokenCounter = 0;

  constructor(
    private readonly target: ForwardTarget,
    private readonly connection: ConnectionControl,
    private readonly log: Logger,
  ) {}

  /** A notifications/progress from the backend, with our token. */
  progressed(params: { progressToken: string | number } & Progress): void {
    const listener = this.progress.get(String(params.progressToken));
    if (!listener) return;
    const { progressToken: _ours, ...progress } = params;
    listener(progress);
  }

  /**
   * Forward a request; fails at once when the backend is not connected. The time limit
   * (requestTimeout) restarts on every progress notification; when it runs out, the backend gets
   * notifications/cancelled and the caller a JSON-RPC error. Progress is tracked with our own token
   * (not the SDK's) so a notification that arrives just before the response is never dropped.
   */
  async request(method: string, params: Record<string, unknown> | undefined, options: ForwardOptions = {}): Promise<Record<string, unknown>> {
    const target = this.target;
    const client = target.client;
    if (!client) throw this.connection.notConnected();
    const timeoutMs = options.timeout ?? target.config.requestTimeout;
    const controller = new AbortController();
    const callerSignal = options.signal;
    const onCallerAbort = () => controller.abort(callerSignal?.reason ?? new Error('cancelled by the client'));
    if (callerSignal?.aborted) onCallerAbort();
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new McpError(ErrorCode.RequestTimeout, `no answer within ${timeoutMs} ms (requestTimeout); the request was cancelled`)), timeoutMs);
    const token = `1mcp-${++this.tokenCounter}`;
    const onprogress = options.onprogress;
    this.progress.set(token, (p) => {
      timer.refresh();
      onprogress?.(p);
    });
    const meta = params?._meta as Record<string, unknown> | undefined;
    const message = { method, params: { ...params, _meta: meta ? { ...meta, progressToken: token } : { progressToken: token } } };
    const requestOptions = { signal: controller.signal, timeout: MAX_TIMER_MS, ask: options.ask, passInputRequired: options.passInputRequired };
    let tokenKept = false;
    try {
      let result: Record<string, unknown>;
      try {
        result = await client.request(message as never, AnyResult, requestOptions).catch((error) => {
          if (!authRaceLost(error) || controller.signal.aborted) throw error;
          return client.request(message as never, AnyResult, requestOptions);
        });
      } catch (error) {
        if (target.config.type === 'stdio' || controller.signal.aborted) throw error;
        const login = awaitingAuth(error);
        if (login) {
          // The SDK already tried one refresh (and one retry) on the 401.
          if (this.connection.isCurrent(client)) this.connection.needsLogin(login.message);
          throw new McpError(ErrorCode.InternalError, `server "${target.name}" is awaiting-auth: ${login.message}`);
        }
        if (sessionLost(error)) {
          // The remote server forgot our session (it restarted): initialize again, once, and retry.
          this.log.info(`[${target.name}] session expired on the server; re-initializing`);
          const fresh = await this.connection.reconnect();
          if (!fresh) throw error;
          result = await fresh.request(message as never, AnyResult, requestOptions);
        } else {
          // Only the first failing request of this connection starts the reconnect cycle.
          if (unreachable(error) && this.connection.isCurrent(client)) this.connection.failed(`unreachable: ${errorText(error)}`);
          throw error;
        }
      }
      tokenKept = this.tasks.keep(result, token, onprogress);
      return result;
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (!tokenKept) this.progress.delete(token);
    }
  }
}
